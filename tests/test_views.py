import pytest

from tests.factories import ZHANG, Lists, person_row

pytestmark = pytest.mark.django_db


def test_home_page_lists_sources_with_active_counts(client, tmp_path):
    Lists(tmp_path).load([person_row(*ZHANG)])
    response = client.get("/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "失信被执行人" in page and "重大税收违法失信主体" in page
    assert "<td>1</td>" in page
    assert ZHANG[1] not in page and "张三" not in page
