"""A labelled corpus of residents' appeals and consultants' notes, for measuring the personal-data
detector (`test_pii_corpus.py`, `python -m bench redaction`).

Texts are assembled from realistic sentences (roads, pensions, land, utilities, schools, transport)
with slots for personal data; every slot's span is labelled with its kind while the text is built.
Names are declined by hand here (never by the analyser under test): Ольга → Ользі, Кіт → Котові,
Кравець → Кравця. Sentences without slots carry the words that must not be flagged: authorities,
towns, streets without a house number, months, dates, sums, sentence-initial common words.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

# name: nominative, genitive, dative, accusative, instrumental (hand-declined)
FIRST_F = [
    ("Ольга", "Ольги", "Ользі", "Ольгу", "Ольгою"),
    ("Олена", "Олени", "Олені", "Олену", "Оленою"),
    ("Наталія", "Наталії", "Наталії", "Наталію", "Наталією"),
    ("Світлана", "Світлани", "Світлані", "Світлану", "Світланою"),
    ("Тетяна", "Тетяни", "Тетяні", "Тетяну", "Тетяною"),
    ("Ганна", "Ганни", "Ганні", "Ганну", "Ганною"),
    ("Марія", "Марії", "Марії", "Марію", "Марією"),
    ("Людмила", "Людмили", "Людмилі", "Людмилу", "Людмилою"),
    ("Валентина", "Валентини", "Валентині", "Валентину", "Валентиною"),
    ("Оксана", "Оксани", "Оксані", "Оксану", "Оксаною"),
    ("Галина", "Галини", "Галині", "Галину", "Галиною"),
    ("Ірина", "Ірини", "Ірині", "Ірину", "Іриною"),
    ("Юлія", "Юлії", "Юлії", "Юлію", "Юлією"),
    ("Надія", "Надії", "Надії", "Надію", "Надією"),
    ("Віра", "Віри", "Вірі", "Віру", "Вірою"),
    ("Любов", "Любові", "Любові", "Любов", "Любов'ю"),
    ("Лариса", "Лариси", "Ларисі", "Ларису", "Ларисою"),
    ("Катерина", "Катерини", "Катерині", "Катерину", "Катериною"),
]
FIRST_M = [
    ("Іван", "Івана", "Іванові", "Івана", "Іваном"),
    ("Петро", "Петра", "Петрові", "Петра", "Петром"),
    ("Олександр", "Олександра", "Олександрові", "Олександра", "Олександром"),
    ("Сергій", "Сергія", "Сергієві", "Сергія", "Сергієм"),
    ("Микола", "Миколи", "Миколі", "Миколу", "Миколою"),
    ("Василь", "Василя", "Василеві", "Василя", "Василем"),
    ("Андрій", "Андрія", "Андрієві", "Андрія", "Андрієм"),
    ("Володимир", "Володимира", "Володимирові", "Володимира", "Володимиром"),
    ("Ігор", "Ігоря", "Ігореві", "Ігоря", "Ігорем"),
    ("Юрій", "Юрія", "Юрієві", "Юрія", "Юрієм"),
    ("Михайло", "Михайла", "Михайлові", "Михайла", "Михайлом"),
    ("Богдан", "Богдана", "Богданові", "Богдана", "Богданом"),
    ("Віктор", "Віктора", "Вікторові", "Віктора", "Віктором"),
    ("Тарас", "Тараса", "Тарасові", "Тараса", "Тарасом"),
    ("Анатолій", "Анатолія", "Анатолієві", "Анатолія", "Анатолієм"),
    ("Степан", "Степана", "Степанові", "Степана", "Степаном"),
]
# surname: masculine cases, feminine cases
SURNAMES = [
    (("Кравець", "Кравця", "Кравцеві", "Кравця", "Кравцем"), ("Кравець",) * 5),
    (("Кіт", "Кота", "Котові", "Кота", "Котом"), ("Кіт",) * 5),
    (("Петренко", "Петренка", "Петренкові", "Петренка", "Петренком"), ("Петренко",) * 5),
    (("Шевчук", "Шевчука", "Шевчукові", "Шевчука", "Шевчуком"), ("Шевчук",) * 5),
    (("Коваленко", "Коваленка", "Коваленкові", "Коваленка", "Коваленком"), ("Коваленко",) * 5),
    (("Бондар", "Бондаря", "Бондареві", "Бондаря", "Бондарем"), ("Бондар",) * 5),
    (("Ткаченко", "Ткаченка", "Ткаченкові", "Ткаченка", "Ткаченком"), ("Ткаченко",) * 5),
    (("Мельник", "Мельника", "Мельникові", "Мельника", "Мельником"), ("Мельник",) * 5),
    (("Савчук", "Савчука", "Савчукові", "Савчука", "Савчуком"), ("Савчук",) * 5),
    (("Олійник", "Олійника", "Олійникові", "Олійника", "Олійником"), ("Олійник",) * 5),
    (("Лисенко", "Лисенка", "Лисенкові", "Лисенка", "Лисенком"), ("Лисенко",) * 5),
    (("Марченко", "Марченка", "Марченкові", "Марченка", "Марченком"), ("Марченко",) * 5),
    (("Руденко", "Руденка", "Руденкові", "Руденка", "Руденком"), ("Руденко",) * 5),
    (("Гнатюк", "Гнатюка", "Гнатюкові", "Гнатюка", "Гнатюком"), ("Гнатюк",) * 5),
    (("Поліщук", "Поліщука", "Поліщукові", "Поліщука", "Поліщуком"), ("Поліщук",) * 5),
    (("Ковальський", "Ковальського", "Ковальському", "Ковальського", "Ковальським"),
     ("Ковальська", "Ковальської", "Ковальській", "Ковальську", "Ковальською")),
    (("Савицький", "Савицького", "Савицькому", "Савицького", "Савицьким"),
     ("Савицька", "Савицької", "Савицькій", "Савицьку", "Савицькою")),
    (("Шкурупій", "Шкурупія", "Шкурупієві", "Шкурупія", "Шкурупієм"), ("Шкурупій",) * 5),
    (("Головатий", "Головатого", "Головатому", "Головатого", "Головатим"),
     ("Головата", "Головатої", "Головатій", "Головату", "Головатою")),
    (("Бойко", "Бойка", "Бойкові", "Бойка", "Бойком"), ("Бойко",) * 5),
    (("Дячук", "Дячука", "Дячукові", "Дячука", "Дячуком"), ("Дячук",) * 5),
    (("Зінчук", "Зінчука", "Зінчукові", "Зінчука", "Зінчуком"), ("Зінчук",) * 5),
]  # fmt: skip
PATRONYMICS = [
    ("Петрович", "Петрівна"), ("Іванович", "Іванівна"), ("Васильович", "Василівна"), ("Миколайович", "Миколаївна"),
    ("Олександрович", "Олександрівна"), ("Сергійович", "Сергіївна"), ("Михайлович", "Михайлівна"),
]  # fmt: skip
# Russian: name (nom, dat, ins), surname (nom, dat, ins) masculine / feminine
RU_PEOPLE = [
    (("Ольга", "Ольге", "Ольгой"), ("Иванова", "Ивановой", "Ивановой")),
    (("Сергей", "Сергею", "Сергеем"), ("Кузнецов", "Кузнецову", "Кузнецовым")),
    (("Наталья", "Наталье", "Натальей"), ("Смирнова", "Смирновой", "Смирновой")),
    (("Дмитрий", "Дмитрию", "Дмитрием"), ("Волков", "Волкову", "Волковым")),
    (("Татьяна", "Татьяне", "Татьяной"), ("Морозова", "Морозовой", "Морозовой")),
]
STREETS = [
    "вул. Шевченка",
    "вулиця Соборна",
    "просп. Миру",
    "пров. Садовий",
    "вул. Героїв Майдану",
    "вулиця Лесі Українки",
    "бульвар Незалежності",
    "вул. Зелена",
    "провулок Тихий",
    "вул. Івана Франка",
    "проспект Центральний",
    "вул. 8 Березня",
]
TOWNS = ["м. Миколаїв", "с. Степове", "м. Вінниця", "смт Олександрівка", "м. Житомир", "м. Полтава", "с. Калинівка"]
PLATE_LETTERS = "АВСЕНІКМОРТХ"

KINDS = (
    "author_name", "person_name", "address", "birth_date", "email", "phone", "passport", "tax_number", "bank_card",
    "iban", "car_plate",
)  # fmt: skip

# Templates: {slot} is personal data of the slot's kind; plain text is not.
AUTHOR_SENTENCES = [
    "Я, {a_full}, звертаюся до вас з проханням допомогти.",
    "Мені, {a_dat_full}, вже двічі відмовили в перерахунку пенсії.",
    "Прошу надати відповідь {a_dat} на електронну пошту.",
    "Від {a_gen_full} надходило звернення ще минулого року, але відповіді немає.",
    "Управління соцзахисту повідомило {a_dat}, що документи загублені.",
    "Працівниця ЦНАПу сказала {a_dat_surname}, що потрібна ще одна довідка.",
    "Довідка видана на ім'я {a_gen_full}, але в ній помилка.",
    "Разом з {a_ins} подавали заяву ще в березні.",
    "Квитанції оформлені на {a_acc_surname}, хоча я вже не власник.",
    "Прошу записати {a_acc} на прийом до лікаря без направлення.",
]
OTHER_SENTENCES = [
    "Сусід {p_nom_full} самовільно захопив частину моєї земельної ділянки.",
    "Старостою села {p_nom_full} нічого не зроблено.",
    "Інспектор {p_init} відмовився приймати документи.",
    "Я неодноразово звертався до {p_gen_full}, але без результату.",
    "Відповідь підписала {pf_nom_full}, заступниця начальника.",
    "Дільничний лікар {p_nom_full} порадив звернутися до вас.",
    "Скаргу на дії {p_gen_full} залишили без розгляду.",
    "Ключі від підвалу є тільки у {pf_gen_full}, голови ОСББ.",
    "Прошу перевірити, на якій підставі {p_nom_full} отримав дозвіл.",
    "Мій син {p_nom_first} навчається у школі № 12.",
]
DATA_SENTENCES = [
    "Мешкаю за адресою: {postal}, {town}, {addr}.",
    "Адреса для листування: {addr}, {town}.",
    "Біля будинку за адресою {addr} вже місяць не вивозять сміття.",
    "Дата народження: {dob}.",
    "Я народилася {dob}, тому маю право на пільгу.",
    "Мій номер телефону {phone}, телефонуйте після 18:00.",
    "Контактний телефон: {phone}.",
    "Пишіть мені на {email}.",
    "Електронна пошта для відповіді {email}",
    "Паспорт серії {passport}, виданий у 2002 році.",
    "Номер ID-картки {idcard}.",
    "РНОКПП {tax}.",
    "Мій ідентифікаційний код {tax}, прошу внести його до бази.",
    "Субсидію перераховують на картку {card}.",
    "Пенсія надходить на рахунок {iban}.",
    "Автомобіль {plate} третій тиждень стоїть на газоні.",
    "Моя машина, номер {plate}, пошкоджена через яму.",
    "Я {yob} року народження, інвалід другої групи.",
]
RU_SENTENCES = [
    "Прошу помочь {r_dat} с перерасчётом пенсии.",
    "Меня зовут {r_full}, живу в частном секторе.",
    "Соседка {r_full2} выбросила мусор прямо на дорогу.",
    "Мой телефон {phone}, звоните в любое время.",
    "Родилась {dob}, пенсионерка.",
]
NEUTRAL_SENTENCES = [
    "Миколаївська міська рада не відповідає на мої звернення вже три місяці.",
    "На вулиці Шевченка після ремонту водогону залишилася яма.",
    "Ремонт дороги на проспекті Миру обіцяли завершити до 15 травня 2026 року.",
    "Дорога до школи імені Лесі Українки не освітлюється.",
    "Віра в те, що питання вирішиться, вже пропала.",
    "Надія лише на вас.",
    "Тариф на воду зріс до 32,50 грн за кубометр.",
    "Заяву подано 12.03.2026 о 10:30 через ЦНАП.",
    "Управління ЖКГ повідомило, що роботи заплановані на вересень.",
    "Пенсійний фонд у Вінницькій області перерахував пенсію лише частково.",
    "Газопостачання в селі Степове відновили тільки 3 січня.",
    "У Житомирі на зупинці біля ринку немає навісу.",
    "Автобус № 27 не ходить після 20:00.",
    "Прошу розглянути звернення у строки, визначені Законом України «Про звернення громадян».",
    "Дякую за розуміння.",
    "Земельну ділянку площею 0,12 га я приватизувала у 2011 році.",
    "Ліфт у під'їзді не працює з листопада.",
    "Сільський голова обіцяв допомогти, але нічого не змінилося.",
    "Кіт сусідів тут ні до чого, проблема в каналізації.",
    "Прошу вжити заходів.",
    "Лічильник замінили у 2024 році, а нарахування йдуть за нормою.",
    "Територіальний центр соціального обслуговування відмовив у допомозі.",
    "Обласна рада передала звернення до Полтавської районної адміністрації.",
    "Талон А-017 на прийом я отримала ще у вівторок.",
    "Компенсацію 1 500 грн так і не виплатили.",
    "Школа № 5 стоїть без опалення.",
    "Звертаюся вже втретє.",
    "Любов до рідного міста не дозволяє мовчати.",
    "Будь ласка, перевірте роботу Укрпошти в нашому селі.",
    "Мер Вінниці обіцяв відремонтувати тротуар біля Соборної площі.",
]
NOTE_NEUTRAL = [
    "Допомога з реєстрацією ФОП через Дію.",
    "Консультація щодо субсидії, направлено до УСЗН.",
    "Пояснила, як перевірити пенсію в кабінеті ПФУ.",
    "Заповнили заяву на компенсацію за зруйноване житло.",
    "Повторний візит, документи не повні.",
    "Допомога з ID-карткою, все вийшло.",
    "Оплата комунальних через Приватбанк, відвідувач 70+.",
    "Записали на прийом до лікаря на 12.05.2026.",
    "Пояснив порядок отримання витягу з ДЗК.",
    "Відвідувачка з с. Степове, проблема з інтернетом.",
]


@dataclass
class Labelled:
    text: str
    author: str
    spans: list[tuple[str, int, int]] = field(default_factory=list)  # (kind, start, end)
    kind: str = "appeal"  # or "note"


class _Builder:
    def __init__(self) -> None:
        self.parts: list[str] = []
        self.spans: list[tuple[str, int, int]] = []
        self.length = 0

    def plain(self, text: str) -> None:
        self.parts.append(text)
        self.length += len(text)

    def data(self, kind: str, text: str) -> None:
        self.spans.append((kind, self.length, self.length + len(text)))
        self.plain(text)


def _rnokpp(rng: random.Random) -> str:
    weights = (-1, 5, 7, 9, 4, 6, 10, 5, 7)
    digits = [rng.randint(0, 9) for _ in range(9)]
    digits[0] = rng.randint(2, 4)
    check = sum(d * w for d, w in zip(digits, weights, strict=True)) % 11 % 10
    return "".join(map(str, digits)) + str(check)


def _card(rng: random.Random) -> str:
    digits = [int(d) for d in rng.choice(["4149", "5168", "5375", "4731"])] + [rng.randint(0, 9) for _ in range(11)]
    total = 0
    for i, d in enumerate(reversed(digits)):
        total += (d * 2 - 9 if d * 2 > 9 else d * 2) if i % 2 == 0 else d
    digits.append((10 - total % 10) % 10)
    s = "".join(map(str, digits))
    return rng.choice(
        [" ".join(s[i : i + 4] for i in range(0, 16, 4)), s, "-".join(s[i : i + 4] for i in range(0, 16, 4))]
    )


def _iban(rng: random.Random) -> str:
    body = "".join(str(rng.randint(0, 9)) for _ in range(25))
    number = int(body + "3010" + "00")  # U=30, A=10
    check = 98 - number % 97
    iban = f"UA{check:02d}{body}"
    return iban if rng.random() < 0.5 else " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))


def _phone(rng: random.Random) -> str:
    op = rng.choice(["050", "067", "097", "063", "093", "066", "073"])
    a, b, c = rng.randint(100, 999), rng.randint(10, 99), rng.randint(10, 99)
    return rng.choice(
        [
            f"+38 ({op}) {a}-{b}-{c}", f"{op}.{a}.{b}.{c}", f"{op} {a} {b} {c}", f"+38{op}{a}{b}{c}",
            f"{op}-{a}-{b}-{c}", f"({op}) {a} {b} {c}", f"{op}{a}{b}{c}", f"{rng.randint(20, 79)}-{b}-{c}",
        ]
    )  # fmt: skip


def _email(rng: random.Random, first: str) -> str:
    login = rng.choice(["olena", "ivan.p", "koval_m", "nadia1970", "petro.sh", "s.tkach", "myk2024", "luda.b"])
    domain = rng.choice(["ukr.net", "gmail.com", "i.ua", "meta.ua"])
    name, tld = domain.rsplit(".", 1)
    return rng.choice(
        [
            f"{login}@{domain}", f"{login} @ {domain}", f"{login} at {name} dot {tld}", f"{login}[at]{domain}",
            f"{login} (at) {name} (dot) {tld}", f"{login}@{domain}",
        ]
    )  # fmt: skip


def _dob(rng: random.Random) -> str:
    d, m, y = rng.randint(1, 28), rng.randint(1, 12), rng.randint(1940, 2005)
    months = ["січня", "лютого", "березня", "квітня", "травня", "червня", "липня", "серпня", "вересня", "жовтня",
              "листопада", "грудня"]  # fmt: skip
    return rng.choice([f"{d:02d}.{m:02d}.{y}", f"{d} {months[m - 1]} {y} року", f"{d:02d}/{m:02d}/{y}"])


def _address(rng: random.Random) -> str:
    street = rng.choice(STREETS)
    house = rng.choice(
        [str(rng.randint(1, 180)), f"{rng.randint(1, 90)}-А", f"{rng.randint(1, 40)}/{rng.randint(1, 9)}"]
    )
    flat = rng.choice(["", f", кв. {rng.randint(1, 200)}", f", кв.{rng.randint(1, 99)}", f" кв. {rng.randint(1, 99)}"])
    return rng.choice([f"{street}, {house}{flat}", f"{street}, буд. {house}{flat}", f"{street} {house}{flat}"])


def _plate(rng: random.Random) -> str:
    a = "".join(rng.choice(PLATE_LETTERS) for _ in range(2))
    b = "".join(rng.choice(PLATE_LETTERS) for _ in range(2))
    n = rng.randint(1000, 9999)
    return rng.choice([f"{a} {n} {b}", f"{a}{n}{b}"])


def _person(rng: random.Random) -> tuple[tuple[str, ...], tuple[str, ...], str, bool]:
    """(first name cases, surname cases, patronymic, feminine)"""
    fem = rng.random() < 0.5
    first = rng.choice(FIRST_F if fem else FIRST_M)
    masc, femn = rng.choice(SURNAMES)
    patr = rng.choice(PATRONYMICS)[1 if fem else 0]
    return first, femn if fem else masc, patr, fem


def _fill(b: _Builder, template: str, values: dict[str, tuple[str, str]]) -> None:
    rest = template
    while "{" in rest:
        before, _, tail = rest.partition("{")
        slot, _, rest = tail.partition("}")
        b.plain(before)
        kind, text = values[slot]
        b.data(kind, text)
    b.plain(rest)


def _values(
    rng: random.Random, author: tuple[tuple[str, ...], tuple[str, ...], str, bool]
) -> dict[str, tuple[str, str]]:
    first, surname, patr, _fem = author
    o_first, o_surname, o_patr, _ = _person(rng)
    f_first = rng.choice(FIRST_F)
    f_surname = rng.choice(SURNAMES)[1]
    ru_first, ru_surname = rng.choice(RU_PEOPLE)
    ru2_first, ru2_surname = rng.choice(RU_PEOPLE)
    passport = (
        f"{rng.choice(['КН', 'МЕ', 'АВ', 'ЕО', 'ВК'])}{rng.choice([' ', '', ' № '])}{rng.randint(100000, 999999)}"
    )
    a, p = "author_name", "person_name"
    return {
        "a_full": (a, f"{surname[0]} {first[0]} {patr}"),
        "a_dat_full": (a, f"{surname[2]} {first[2]}"),
        "a_gen_full": (a, f"{first[1]} {surname[1]}"),
        "a_dat": (a, first[2]),
        "a_acc": (a, first[3]),
        "a_ins": (a, f"{first[4]} {surname[4]}"),
        "a_dat_surname": (a, surname[2]),
        "a_acc_surname": (a, surname[3]),
        "p_nom_full": (p, f"{o_first[0]} {o_surname[0]}"),
        "p_gen_full": (
            p,
            f"{o_first[1]} {o_patr + 'а' if o_patr.endswith('ич') else o_patr[:-1] + 'и'} {o_surname[1]}",
        ),
        "p_init": (p, f"{o_surname[0]} {o_first[0][0]}. {o_patr[0]}."),
        "p_nom_first": (p, o_first[0]),
        "pf_nom_full": (p, f"{f_first[0]} {f_surname[0]}"),
        "pf_gen_full": (p, f"{f_first[1]} {f_surname[1]}"),
        "r_dat": (a, f"{ru_first[1]} {ru_surname[1]}"),
        "r_full": (a, f"{ru_first[0]} {ru_surname[0]}"),
        "r_full2": (p, f"{ru2_first[0]} {ru2_surname[0]}"),
        "addr": ("address", _address(rng)),
        "postal": ("address", str(rng.randint(10000, 99999))),
        "town": ("", rng.choice(TOWNS)),
        "dob": ("birth_date", _dob(rng)),
        "yob": ("birth_date", str(rng.randint(1940, 2000))),
        "phone": ("phone", _phone(rng)),
        "email": ("email", _email(rng, first[0])),
        "passport": ("passport", passport),
        "idcard": ("passport", f"{rng.randint(0, 99):03d}{rng.randint(0, 999999):06d}"),
        "tax": ("tax_number", _rnokpp(rng)),
        "card": ("bank_card", _card(rng)),
        "iban": ("iban", _iban(rng)),
        "plate": ("car_plate", _plate(rng)),
    }


def build_corpus(seed: int = 20261206, appeals: int = 300, ru: int = 40, notes: int = 60) -> list[Labelled]:
    """`appeals` Ukrainian appeals, `ru` Russian ones, and `notes` consultation notes (half with
    personal data), each with its author's full name and labelled spans."""
    rng = random.Random(seed)
    corpus: list[Labelled] = []
    for i in range(appeals + ru):
        author = _person(rng)
        values = _values(rng, author)
        russian = i >= appeals
        if russian:
            ru_first, ru_surname = rng.choice(RU_PEOPLE)
            author_name = f"{ru_surname[0]} {ru_first[0]}"
            values["r_dat"] = ("author_name", f"{ru_first[1]} {ru_surname[1]}")
            values["r_full"] = ("author_name", f"{ru_first[0]} {ru_surname[0]}")
            sentences = rng.sample(RU_SENTENCES, 3) + rng.sample(NEUTRAL_SENTENCES, 1)
        else:
            first, surname, patr, _ = author
            author_name = f"{surname[0]} {first[0]} {patr}"
            sentences = (
                rng.sample(AUTHOR_SENTENCES, 2)
                + rng.sample(OTHER_SENTENCES, 1)
                + rng.sample(DATA_SENTENCES, 2)
                + rng.sample(NEUTRAL_SENTENCES, 2)
            )
        rng.shuffle(sentences)
        b = _Builder()
        for sentence in sentences:
            _fill(b, sentence, values)
            b.plain(" ")
        if not russian and rng.random() < 0.7:
            b.plain("\nЗ повагою, ")
            b.data(
                "author_name",
                rng.choice([f"{author[0][0]} {author[1][0]}", f"{author[1][0]} {author[0][0][0]}. {author[2][0]}."]),
            )
        text = "".join(b.parts).strip()
        spans = [s for s in b.spans if s[0] and s[2] <= len(text)]
        corpus.append(Labelled(text, author_name, spans))
    for i in range(notes):
        b = _Builder()
        values = _values(rng, _person(rng))
        if i % 2:
            template = rng.choice(
                [
                    "Відвідувач {p_nom_full}, тел. {phone}, просив передзвонити.",
                    "Допомогли {p_nom_first} з субсидією, телефон {phone}.",
                    "Пенсіонерка {pf_nom_full} просила записати до лікаря.",
                    "Заявник {p_init} залишив пошту {email}.",
                    "Реєстрація місця проживання: {addr}.",
                    "Переоформлення картки {card} у банку.",
                    "Довідка для {p_gen_full}, РНОКПП {tax}.",
                    "Відвідувачка {dob} р.н., пенсійне посвідчення.",
                    "Витяг на авто {plate}.",
                    "ID-картка {idcard}, подали на переоформлення.",
                ]
            )
            _fill(b, template, values)
        else:
            b.plain(rng.choice(NOTE_NEUTRAL))
        corpus.append(Labelled("".join(b.parts), "", [s for s in b.spans if s[0]], kind="note"))
    return corpus
