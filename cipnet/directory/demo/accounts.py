"""Demo accounts: one person per role, for trying CIPnet out and for tests.

Demo accounts carry `is_demo=True`; the authentication backend refuses them unless
`settings.CIPNET_DEMO_MODE` is on, so their published passwords are harmless elsewhere.
They are created by `manage.py load_demo` (after the directory demo data, because
staff hold their roles in demo centres) and listed by `manage.py demo_logins`; they live with
the directory's demo data because their memberships point at its centres and regions.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from cipnet.accounts.models import Membership, Role, User
from cipnet.accounts.services import membership_grant
from cipnet.directory.demo.loader import DemoDataError, LoadReport, Outcome, TerritoryResolver, upsert
from cipnet.directory.models import Centre, CoordinationOffice, Region

#: The Mykolaiv centre from the seeds, where the centre staff of the demo work.
MYKOLAIV_CENTRE = "mykolaiv-kropyvnytskyi"
#: A centre in another region, so that scoping can be seen (and tested) with a second consultant.
LVIV_OBLAST_CENTRE = "zhovkva"
LVIV_OBLAST = "Львівська"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    full_name: str
    #: None: a resident, who needs no membership.
    role: Role | None
    #: For centre roles: the centre's slug.
    centre_slug: str = ""
    #: For region roles: the oblast's name in the codifier; the region's coordination office is attached.
    oblast: str = ""
    title: str = ""
    is_staff: bool = False

    @property
    def password(self) -> str:
        return f"demo-{self.username}-2026"

    @property
    def email(self) -> str:
        return f"{self.username}@example.org"


DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount(
        "consultant", "Олена Петрівна Кравчук", Role.CONSULTANT, centre_slug=MYKOLAIV_CENTRE,
        title="Бібліотекарка-консультантка",
    ),
    DemoAccount(
        "consultant2", "Марта Романівна Федорів", Role.CONSULTANT, centre_slug=LVIV_OBLAST_CENTRE,
        title="Консультантка центру",
    ),
    DemoAccount(
        "manager", "Ірина Василівна Бондар", Role.CENTRE_MANAGER, centre_slug=MYKOLAIV_CENTRE,
        title="Завідувачка центру обслуговування громадян",
    ),
    DemoAccount(
        "trainer", "Андрій Миколайович Ткачук", Role.TRAINER, centre_slug=MYKOLAIV_CENTRE,
        title="Тренер з електронного урядування",
    ),
    DemoAccount(
        "coordinator", "Оксана Ярославівна Гнатів", Role.REGIONAL_COORDINATOR, oblast=LVIV_OBLAST,
        title="Координаторка обласного бюро",
    ),
    DemoAccount(
        "admin", "Тарас Богданович Мельник", Role.NETWORK_ADMIN, is_staff=True, title="Адміністратор мережі",
    ),
    DemoAccount("moderator", "Богдана Олегівна Лисенко", Role.MODERATOR, title="Модераторка реєстру звернень"),
    DemoAccount("official", "Наталія Степанівна Савчук", Role.AUTHORITY_OFFICIAL, title="Головна спеціалістка"),
    DemoAccount("resident", "Василь Іванович Олійник", None),
)  # fmt: skip


@dataclass(frozen=True)
class _Scope:
    centre: Centre | None = None
    region: Region | None = None
    office: CoordinationOffice | None = None


def _scope_for(account: DemoAccount) -> _Scope:
    if account.centre_slug:
        try:
            return _Scope(centre=Centre.objects.get(slug=account.centre_slug))
        except Centre.DoesNotExist as exc:
            raise DemoDataError(
                _("The demo centre “%(slug)s” is missing. Load the directory demo data first.")
                % {"slug": account.centre_slug}
            ) from exc
    if account.oblast:
        region = TerritoryResolver().region(account.oblast)
        return _Scope(region=region, office=region.offices.order_by("name").first())
    return _Scope()


def _ensure_user(account: DemoAccount, report: LoadReport) -> User | None:
    existing = User.objects.filter(username=account.username).first()
    if existing is not None and not existing.is_demo:
        report.warnings.append(
            _("“%(username)s” is a real account, not a demo one; it was left as it is and has no demo role.")
            % {"username": account.username}
        )
        return None
    values = {
        "full_name": account.full_name,
        "email": account.email,
        "is_demo": True,
        "is_staff": account.is_staff,
        "is_superuser": False,
        "is_active": True,
    }
    if existing is None:
        user = User(username=account.username, **values)
        user.set_password(account.password)
        user.full_clean()
        user.save()
        report.add("accounts", Outcome.CREATED)
        return user
    user, outcome = upsert(User, lookup={"pk": existing.pk}, values=values)
    if not user.check_password(account.password):
        user.set_password(account.password)
        user.save(update_fields=["password"])
        outcome = Outcome.UPDATED
    report.add("accounts", outcome)
    return user


def _ensure_memberships(user: User, account: DemoAccount, report: LoadReport) -> None:
    """A demo account holds exactly the role the table above gives it."""
    keep: list[int] = []
    if account.role is not None:
        scope = _scope_for(account)
        lookup = {"user": user, "role": account.role, "centre": scope.centre, "region": scope.region}
        values = {"office": scope.office, "title": account.title, "is_active": True}
        existing = Membership.objects.filter(**lookup).first()
        membership = membership_grant(  # the system grants the demo roles
            actor=None,
            user=user,
            role=account.role,
            centre=scope.centre,
            region=scope.region,
            office=scope.office,
            title=account.title,
        )
        if existing is None:
            outcome = Outcome.CREATED
        elif any(getattr(existing, name) != value for name, value in values.items()):
            outcome = Outcome.UPDATED
        else:
            outcome = Outcome.UNCHANGED
        report.add("memberships", outcome)
        keep.append(membership.pk)
    _total, by_model = Membership.objects.filter(user=user).exclude(pk__in=keep).delete()
    report.add("memberships", Outcome.REMOVED, by_model.get(Membership._meta.label, 0))


@transaction.atomic
def demo_accounts_ensure(*, report: LoadReport, accounts: Iterable[DemoAccount] = DEMO_ACCOUNTS) -> None:
    """Create or repair the demo accounts and their memberships; running it twice changes nothing."""
    for account in accounts:
        user = _ensure_user(account, report)
        if user is not None:
            _ensure_memberships(user, account, report)


@dataclass(frozen=True)
class DemoLogin:
    role: str
    username: str
    password: str
    where: str
    #: False when the account is not in the database (or is a real account with the same username).
    available: bool


def _where(account: DemoAccount) -> str:
    if account.role is None:
        return _("no role: uses the public site")
    if account.centre_slug:
        centre = Centre.objects.filter(slug=account.centre_slug).select_related("settlement").first()
        return f"{centre.display_name} ({centre.settlement.label})" if centre else account.centre_slug
    if account.oblast:
        try:
            region = TerritoryResolver().region(account.oblast)
        except DemoDataError:
            return account.oblast
        office = region.offices.order_by("name").first()
        return office.display_name if office is not None else region.display_name
    if account.role == Role.NETWORK_ADMIN:
        return _("whole network; Django admin too")
    if account.role == Role.MODERATOR:
        return _("the public register of cases, every region")
    user = User.objects.filter(username=account.username).first()
    # Officials answer for an authority (the reception's `AuthorityOfficial`, read through the user).
    posts = list(user.authority_posts.select_related("authority")) if user is not None else []
    names = [
        _("%(authority)s, head") % {"authority": p.authority.display_name} if p.is_head else p.authority.display_name
        for p in posts
    ]
    if names:
        return "; ".join(names)
    return _("not tied to a centre or a region")


def demo_logins(accounts: Iterable[DemoAccount] = DEMO_ACCOUNTS) -> list[DemoLogin]:
    """The demo accounts as a table for people: role, username, password, where the role is held."""
    accounts = list(accounts)
    present = set(
        User.objects.filter(username__in=[a.username for a in accounts], is_demo=True).values_list(
            "username", flat=True
        )
    )
    return [
        DemoLogin(
            role=str(account.role.label) if account.role else _("Resident"),
            username=account.username,
            password=account.password,
            where=_where(account),
            available=account.username in present,
        )
        for account in accounts
    ]
