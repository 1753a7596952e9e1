from gongxin.accounts.choices import Role
from gongxin.inquiry.scope import staff_of


def staff(request):
    person = staff_of(getattr(request, "user", None))
    roles = person.roles if person else frozenset()
    return {
        "me": person,
        "is_handler": Role.HANDLER in roles,
        "is_sysadmin": Role.SYSADMIN in roles,
    }
