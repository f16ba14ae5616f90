"""Demo programmes from the seeds, with the rows that reproduce their figures.

- Seed 000: the 2014 stage II of the Public Information Centres (Polish development cooperation,
  332,700 PLN, 01.03–30.11.2014), results R1–R8 and their targets; 20 new centres in Lviv, Rivne,
  Vinnytsia and Zakarpattia oblasts each give 40 consultations in September–November (R3: 800).
- Seed 004: the Citizen Service Centres of the Mykolaiv city library system (July 2012 – February
  2013): more than 2,000 visitors, 1,607 e-services, 124 appeals to the mayor's internet reception
  of which 32 resolved positively (25.8 %), 340 residents and 50 librarians trained, 20 street
  actions, 4,000 bookmarks and 1,000 booklets.

Figures CIPnet cannot observe yet (trainings, blogs, publications) are values entered by hand with
where their evidence is, as a coordinator would enter them; the events and publishing apps will
compute them.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from cipnet.appeals import demo as appeals_demo
from cipnet.appeals.models import Authority
from cipnet.consultations import demo as consultations_demo
from cipnet.consultations.models import Consultation, HelpKind, Outcome
from cipnet.consultations.rollups import rebuild
from cipnet.directory.models import Centre
from cipnet.reporting import demo as reporting_demo
from cipnet.results import services
from cipnet.results.models import Aggregation, Disaggregation, Indicator, Level, Measure, Programme, Result
from cipnet.results.sources import Scope

STAGE_II = [
    "rava-ruska", "zymna-voda", "pidkamin", "mykolaiv-stryiskyi", "nahuievychi", "truskavets", "yavoriv",
    "mostyska", "rivne-ounb", "dubno", "sarny", "zdolbuniv", "vinnytsia-ounb", "zhmerynka", "tulchyn", "bar",
    "uzhhorod-ounb", "mukachevo", "berehove", "velyka-dobron",
]  # fmt: skip
SERVICES_FROM, SERVICES_TO = dt.date(2014, 9, 1), dt.date(2014, 11, 30)
PER_CENTRE = 40
MYKOLAIV_FROM, MYKOLAIV_TO = dt.date(2012, 7, 1), dt.date(2013, 2, 28)
PEOPLE = Disaggregation.AGE_BAND, Disaggregation.GENDER, Disaggregation.SETTLEMENT, Disaggregation.CENTRE


@dataclass(frozen=True)
class Ind:
    code: str
    uk: str
    en: str
    pl: str
    target: int | None = None
    source: str = ""
    aggregation: str = Aggregation.SUM
    measure: str = Measure.NUMBER
    disaggregations: tuple[str, ...] = ()
    achieved: int | str | None = None  # entered by hand, with evidence
    evidence: str = ""


def _result(programme: Programme, parent: Result | None, level: str, code: str, uk: str, en: str, pl: str) -> Result:
    position = Result.objects.filter(programme=programme).count()
    return services.result_add(
        actor=None,
        programme=programme,
        parent=parent,
        level=level,
        code=code,
        title=uk,
        title_en=en,
        title_pl=pl,
        position=position,
    )


def _indicators(programme: Programme, result: Result, items: list[Ind]) -> dict[str, Indicator]:
    made = {}
    for position, i in enumerate(items):
        indicator = services.indicator_add(
            actor=None,
            result=result,
            code=i.code,
            title=i.uk,
            title_en=i.en,
            title_pl=i.pl,
            target=None if i.target is None else Decimal(i.target),
            source=i.source,
            aggregation=i.aggregation,
            measure=i.measure,
            disaggregations=list(i.disaggregations),
            frequency="programme" if i.source == "" else "monthly",
            verification=i.evidence,
            position=position,
        )
        if i.achieved is not None:
            services.manual_value_record(
                actor=None,
                indicator=indicator,
                scope=Scope(),
                starts_on=programme.starts_on,
                ends_on=programme.ends_on,
                value=None if isinstance(i.achieved, str) else i.achieved,
                text=i.achieved if isinstance(i.achieved, str) else "",
                evidence_note=i.evidence,
            )
        made[i.code] = indicator
    return made


def _programme_000() -> Programme | None:
    centres = list(Centre.objects.filter(slug__in=STAGE_II).order_by("pk"))
    if len(centres) != len(STAGE_II):
        return None  # the demo directory is not loaded
    programme = services.programme_create(
        actor=None,
        centres=centres,
        code="cip-2014",
        title="Центри публічної інформації у Львівській, Миколаївській, Рівненській і Вінницькій областях – етап II",
        title_en="Public Information Centres in Lviv, Mykolaiv, Rivne and Vinnytsia oblasts – stage II",
        title_pl="Centra Informacji Publicznej w obwodach lwowskim, mikołajowskim, rówieńskim i winnickim – etap II",
        donor="Міністерство закордонних справ Республіки Польща",
        funding_programme="Підтримка демократії 2014 (польська співпраця для розвитку)",
        partners="Stowarzyszenie «Centrum Współpracy Polska-Wschód»\nГО «Європейський діалог»",
        starts_on=dt.date(2014, 3, 1),
        ends_on=dt.date(2014, 11, 30),
        budget=Decimal("332700.00"),
        currency="PLN",
        # Identifiers made up for the demonstration (the "XX" prefix is no registry's).
        reporting_org="ГО «Європейський діалог»",
        reporting_org_ref="XX-DEMO-ED",
        reporting_org_type="22",
        iati_identifier="XX-DEMO-ED-cip-2014",
        is_public=True,
    )
    goal = _result(
        programme, None, Level.GOAL, "G",
        "Мешканці малих міст і сіл отримують е-послуги на місці, у бібліотеках і ГО",
        "Residents of small towns and villages get e-services locally, in libraries and NGOs",
        "Mieszkańcy małych miast i wsi korzystają z e-usług na miejscu, w bibliotekach i NGO",
    )  # fmt: skip
    outputs = [
        ("R1", "Мережа 20 ЦПІ і 4 обласних координаційних бюро працює",
         "A network of 20 centres and 4 oblast coordination offices operating",
         "Sieć 20 CIP i 4 obwodowych biur koordynacyjnych działa",
         [Ind("R1.1", "ЦПІ працюють", "Centres operating", "Działające CIP", 20, "centres_operating",
              Aggregation.LATEST, disaggregations=(Disaggregation.REGION,)),
          Ind("R1.2", "Обласні координаційні бюро", "Oblast coordination offices", "Obwodowe biura koordynacyjne",
              4, "coordination_offices", Aggregation.LATEST)]),
        ("R2", "20 аналізів ситуації з е-послугами від 20 робочих груп",
         "20 analyses of the e-service situation by 20 working groups",
         "20 analiz sytuacji e-usług przez 20 grup roboczych",
         [Ind("R2.1", "Аналізи робочих груп (SWOT)", "Working groups' analyses (SWOT)", "Analizy grup roboczych (SWOT)",
              20, achieved=20, evidence="Звіти робочих груп, архів координаційних бюро"),
          Ind("R2.2", "Учасники робочих груп", "Working group members", "Członkowie grup roboczych", 80,
              achieved=84, evidence="Списки робочих груп")]),
        ("R3", "24 консультанти навчені; 800 послуг за два місяці (40 × 20 центрів)",
         "24 consultants trained; 800 services in two months (40 × 20 centres)",
         "24 konsultantów przeszkolonych; 800 usług w ciągu 2 miesięcy (40 × 20 centrów)",
         [Ind("R3.1", "Навчені консультанти", "Consultants trained", "Przeszkoleni konsultanci", 24,
              achieved=24, evidence="Списки учасників тренінгів у Львові, червень 2014"),
          Ind("R3.2", "Надані послуги (вересень–листопад)", "Services given (September–November)",
              "Udzielone usługi (wrzesień–listopad)", 800, "consultations",
              disaggregations=(*PEOPLE, Disaggregation.REGION))]),
        ("R4", "Досвід доброго врядування передано ~150 представникам і 60 учасникам конференції",
         "Good-governance experience passed to ~150 representatives and 60 conference participants",
         "Doświadczenia dobrego rządzenia przekazane ~150 przedstawicielom i 60 uczestnikom konferencji",
         [Ind("R4.1", "Представники адміністрацій, ГО і бібліотек",
              "Representatives of administrations, NGOs and libraries",
              "Przedstawiciele administracji, NGO i bibliotek", 150),
          Ind("R4.2", "Учасники підсумкової конференції", "Final conference participants",
              "Uczestnicy konferencji podsumowującej", 60, achieved=60,
              evidence="Реєстраційний список конференції, Львів")]),
        ("R5", "20 блогів ЦПІ, регіональний сайт «Е-послуга» і кампанія",
         "20 centre blogs, the regional site “E-service” and a campaign",
         "20 blogów CIP, regionalna strona „E-usługa” i kampania",
         [Ind("R5.1", "Блоги ЦПІ", "Centre blogs", "Blogi CIP", 20),
          Ind("R5.2", "Відвідувачі блогів", "Blog visitors", "Odwiedzający blogi", 1000)]),
        ("R6", "Програму е-врядування Львівської області до 2018 р. оновлено",
         "The Lviv oblast e-governance programme to 2018 updated",
         "Program e-zarządzania obwodu lwowskiego do 2018 r. zaktualizowany",
         [Ind("R6.1", "Оновлена програма", "Programme updated", "Program zaktualizowany", measure=Measure.QUALITATIVE,
              aggregation=Aggregation.LATEST,
              achieved="Проєкт оновленої програми передано Львівській обласній раді.",
              evidence="Лист до Львівської обласної ради")]),
        ("R7", "Щонайменше 20 проєктних пропозицій до регіональних програм",
         "At least 20 project proposals to regional programmes",
         "Co najmniej 20 wniosków projektowych do programów regionalnych",
         [Ind("R7.1", "Подані проєктні пропозиції", "Project proposals submitted", "Złożone wnioski projektowe", 20)]),
        ("R8", "500 брошур і 2000 CD «Е-врядування»", "500 brochures and 2,000 CDs “E-governance”",
         "500 broszur i 2000 CD „E-zarządzanie”",
         [Ind("R8.1", "Брошури", "Brochures", "Broszury", 500, achieved=500, evidence="Накладна друкарні"),
          Ind("R8.2", "Компакт-диски", "CDs", "Płyty CD", 2000, achieved=2000, evidence="Накладна виробника")]),
    ]  # fmt: skip
    indicators: dict[str, Indicator] = {}
    for code, uk, en, pl, items in outputs:
        indicators |= _indicators(programme, _result(programme, goal, Level.OUTPUT, code, uk, en, pl), items)
    r3 = indicators["R3.2"]
    services.target_set(
        actor=None,
        indicator=r3,
        scope=Scope(),
        starts_on=SERVICES_FROM,
        ends_on=SERVICES_TO,
        value=800,
    )
    for centre in centres:
        services.target_set(
            actor=None,
            indicator=r3,
            scope=Scope(centre_id=centre.pk),
            starts_on=SERVICES_FROM,
            ends_on=SERVICES_TO,
            value=PER_CENTRE,
        )
    consultations_demo.load_exactly(
        centres=centres, start=SERVICES_FROM, end=SERVICES_TO, per_centre=PER_CENTRE, seed=2014
    )
    # September and October approved by the network; November still on its way up (ADR 12).
    reporting_demo.load_months(
        centres=centres, approved=[dt.date(2014, 9, 1), dt.date(2014, 10, 1)], last=dt.date(2014, 11, 1)
    )
    return programme


def _programme_004() -> Programme | None:
    centres = [
        c
        for c in Centre.objects.filter(slug__startswith="mykolaiv-", opened_on__lte=MYKOLAIV_TO).order_by("pk")
        if c.slug != "mykolaiv-stryiskyi"
    ]
    if not centres:
        return None
    programme = services.programme_create(
        actor=None,
        centres=centres,
        code="mykolaiv-cog-2012",
        title="Центри обслуговування громадян у бібліотеках ЦБС для дорослих м. Миколаєва",
        title_en="Citizen Service Centres in the Mykolaiv city library system for adults",
        title_pl="Centra Obsługi Obywateli w bibliotekach miejskich Mikołajowa",
        donor="ГО «Фонд розвитку міста Миколаєва»; програма «Бібліоміст»",
        funding_programme="Електронне врядування та електронна демократія в місті Миколаєві на 2010–2015 роки",
        partners="Миколаївська міська рада\nМіжнародний фонд «Відродження»\nПрограма «Бібліоміст»",
        starts_on=MYKOLAIV_FROM,
        ends_on=MYKOLAIV_TO,
        currency="UAH",
        is_public=True,
    )
    outcome = _result(
        programme, None, Level.OUTCOME, "O1",
        "Городяни отримують адміністративні послуги в електронній формі в бібліотеках",
        "Residents get administrative services electronically in libraries",
        "Mieszkańcy korzystają z usług administracyjnych w formie elektronicznej w bibliotekach",
    )  # fmt: skip
    services_result = _result(
        programme, outcome, Level.OUTPUT, "O1.1", "Послуги центрів обслуговування громадян",
        "Services of the Citizen Service Centres", "Usługi Centrów Obsługi Obywateli",
    )  # fmt: skip
    learning = _result(
        programme, outcome, Level.OUTPUT, "O1.2", "Навчання і популяризація", "Training and promotion",
        "Szkolenia i promocja",
    )  # fmt: skip
    _indicators(programme, services_result, [
        Ind("C1", "Відвідувачі, яким допомогли", "Visitors helped", "Odwiedzający, którym pomożono", 2000,
            "consultations", disaggregations=PEOPLE),
        Ind("C2", "Надані е-послуги", "E-services given", "Udzielone e-usługi", 1607, "eservices_completed",
            disaggregations=(Disaggregation.CENTRE,)),
        Ind("C3", "Звернення до інтернет-приймальні, вирішені позитивно",
            "Appeals to the internet reception resolved positively",
            "Wnioski do internetowej recepcji rozpatrzone pozytywnie", None, "appeals_positive_share",
            Aggregation.RATIO, Measure.PERCENTAGE, (Disaggregation.CENTRE,)),
    ])  # fmt: skip
    _indicators(programme, learning, [
        Ind("L1", "Мешканці, навчені комп'ютерної грамотності (22–70 років)",
            "Residents trained in computer literacy (aged 22–70)",
            "Mieszkańcy przeszkoleni z obsługi komputera (22–70 lat)", 340, achieved=340, evidence="Журнали курсів"),
        Ind("L2", "Бібліотекарі, що пройшли «Школу електронного урядування»",
            "Librarians through the e-governance school",
            "Bibliotekarze po „Szkole e-administracji”", 50, achieved=50, evidence="Сертифікати Школи"),
        Ind("L3", "Вуличні акції", "Street actions", "Akcje uliczne", 20, achieved=20, evidence="Фотозвіти"),
        Ind("L4", "Закладки", "Bookmarks", "Zakładki", 4000, achieved=4000, evidence="Накладна друкарні"),
        Ind("L5", "Буклети", "Booklets", "Broszurki", 1000, achieved=1000, evidence="Накладна друкарні"),
    ])  # fmt: skip
    _mykolaiv_rows(centres)
    return programme


def _mykolaiv_rows(centres: list[Centre]) -> None:
    """2,025 visitors at the centres open by February 2013 (135 each), of whom exactly 1,607 completed an
    e-service; 124 appeals to the mayor's internet reception answered, 32 positively."""
    per_centre = -(-2025 // len(centres))
    consultations_demo.load_exactly(
        centres=centres, start=MYKOLAIV_FROM, end=MYKOLAIV_TO, per_centre=per_centre, seed=2012
    )
    rows = list(
        Consultation.objects.filter(centre__in=centres, day__range=(MYKOLAIV_FROM, MYKOLAIV_TO))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    rng = random.Random(1607)  # noqa: S311 — demonstration data, not secrets
    eservices = set(rng.sample(rows, 1607))
    others = [pk for pk in rows if pk not in eservices]
    Consultation.objects.filter(pk__in=eservices).update(help_kind=HelpKind.ESERVICE, outcome=Outcome.COMPLETED)
    kinds = [HelpKind.INFORMATION, HelpKind.APPEAL, HelpKind.LITERACY, HelpKind.DOCUMENTS]
    for i, kind in enumerate(kinds):
        Consultation.objects.filter(pk__in=others[i :: len(kinds)]).update(help_kind=kind)
    rebuild(centre_ids=[c.pk for c in centres], start=MYKOLAIV_FROM, end=MYKOLAIV_TO)
    city = Authority.objects.filter(slug="mykolaiv-city-council").first()
    if city is not None:
        appeals_demo.load_history(
            centres=centres, authority=city, start=MYKOLAIV_FROM, end=MYKOLAIV_TO, answered=124, positive=32, seed=124
        )


@transaction.atomic
def load() -> dict[str, int]:
    """Create the demo programmes once (a second run changes nothing)."""
    made = {"programmes": 0}
    for code, build in (("cip-2014", _programme_000), ("mykolaiv-cog-2012", _programme_004)):
        if not Programme.objects.filter(code=code).exists() and build() is not None:
            made["programmes"] += 1
    return made
