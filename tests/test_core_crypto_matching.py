import pytest

from gongxin.core import crypto
from gongxin.core.crypto import DecryptionError, KeyRing, new_key
from gongxin.core.matching import MatchClass, classify, strongest


def test_known_answer_vectors_pass():
    crypto.self_test()  # SM4 0123…3210 → 681edf34…4246, SM3("abc")


def test_sm4_known_answer_vector_directly():
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    key = bytes.fromhex("0123456789abcdeffedcba9876543210")
    enc = Cipher(algorithms.SM4(key), modes.ECB()).encryptor()  # noqa: S305
    assert (enc.update(key) + enc.finalize()).hex() == "681edf34d206965e86b3e94f536e4246"


@pytest.mark.parametrize("suite", ["gm", "intl"])
def test_round_trip_and_key_id_on_ciphertext(tmp_path, suite):
    ring = KeyRing.create(tmp_path / "k.json", suite)
    blob = ring.encrypt("𠮷野·张三", b"ctx")
    assert KeyRing.key_id_of(blob) == ring.active.id
    assert "张三".encode() not in blob
    assert ring.decrypt(blob, b"ctx") == "𠮷野·张三"
    # Same plaintext, new nonce: ciphertexts differ, so equal values cannot be spotted.
    assert ring.encrypt("张三", b"ctx") != ring.encrypt("张三", b"ctx")


def test_ciphertext_moved_to_another_field_fails(tmp_path):
    ring = KeyRing.create(tmp_path / "k.json")
    blob = ring.encrypt("张三", b"list_entry.name")
    with pytest.raises(DecryptionError):
        ring.decrypt(blob, b"list_entry.id")


def test_tampered_ciphertext_fails(tmp_path):
    ring = KeyRing.create(tmp_path / "k.json")
    blob = bytearray(ring.encrypt("张三", b"ctx"))
    blob[-1] ^= 1
    with pytest.raises(DecryptionError):
        ring.decrypt(bytes(blob), b"ctx")


def test_key_file_round_trip_is_private_and_old_keys_still_decrypt(tmp_path):
    path = tmp_path / "k.json"
    ring = KeyRing.create(path)
    assert path.stat().st_mode & 0o777 == 0o600
    old_blob = ring.encrypt("李四", b"ctx")
    key = new_key("intl")
    ring.add_pending(key)
    ring.promote(key.id)
    ring.save()
    again = KeyRing.load(path)
    assert again.active.id == key.id
    assert again.decrypt(old_blob, b"ctx") == "李四"
    assert len(again.search_indexes("李四", b"ctx")) == 2


def test_blind_index_depends_on_key_and_context(tmp_path):
    a = KeyRing.create(tmp_path / "a.json")
    b = KeyRing.create(tmp_path / "b.json")
    assert a.blind_index("x", b"c1") == a.blind_index("x", b"c1")
    assert a.blind_index("x", b"c1") != a.blind_index("x", b"c2")
    assert a.blind_index("x", b"c1") != b.blind_index("x", b"c1")


def test_missing_key_file_says_what_to_do(tmp_path):
    with pytest.raises(crypto.KeyFileError, match="gongxin init"):
        KeyRing.load(tmp_path / "none.json")


@pytest.mark.parametrize(
    ("id_agrees", "name_agrees", "masked", "expected"),
    [
        (True, True, False, MatchClass.EXACT),
        (True, False, False, MatchClass.ID_ONLY),
        (False, True, False, MatchClass.NONE),  # a name alone never matches
        (True, True, True, MatchClass.POSSIBLE),
        (True, False, True, MatchClass.NONE),
        (False, True, True, MatchClass.NONE),
    ],
)
def test_match_classes(id_agrees, name_agrees, masked, expected):
    assert classify(id_agrees=id_agrees, name_agrees=name_agrees, entry_masked=masked) == expected


def test_strongest_class_wins():
    assert (
        strongest([MatchClass.POSSIBLE, MatchClass.EXACT, MatchClass.ID_ONLY]) == MatchClass.EXACT
    )
    assert strongest([]) == MatchClass.NONE
