"""Word passwords for basic accounts: a short child-friendly Dutch word and digits, 6 in all.

The word has 3, 4 or 5 letters and is followed by 3, 2 or 1 digits ("kat482", "boom47",
"appel3"). Digits are 2-9: without 0 and 1 nobody mixes them up with o, l or i on a
printed card. Digit groups that carry a hateful or crude meaning (88, 69, 666) never occur.

A password is drawn uniformly from every possible one (not word first, then digits), so
each is equally likely. With 93 words of 3 letters, 172 of 4 and 70 of 5 there are
93 * 480 + 172 * 62 + 70 * 8 = 55,864 passwords: log2(55,864) ≈ 15.8 bits. That is weak
on purpose, so that a six-year-old can type it; it is safe only behind the per-account
throttling of the login, and Argon2id merely slows down an attacker with a stolen database
(SECURITY.md). `password_count()` gives the exact number for the current lists.
"""

from __future__ import annotations

import itertools
import re
import secrets
from collections.abc import Callable

PASSWORD_LENGTH = 6
WORD_LENGTHS = (3, 4, 5)
DIGITS = "23456789"
# Digit groups never handed out: neo-Nazi codes and crude jokes a class would notice.
BANNED_DIGIT_GROUPS = ("88", "69", "666")

# Curated by hand: concrete, friendly words a young child knows (animals, nature, food,
# things at home and at school, toys, colours, cheerful verbs). Left out on purpose:
# anything rude or that slang makes rude (kont, poes, wip, zak, pot, gat, hol, kalf), words
# used as insults (aap, ezel, koe, varken, kruk, sul), scary or sad things (spin, wolf,
# mes, bijl, storm, vuur, dood), family words (not every child has a mama or an opa),
# number words (zes48, elf7), religion, brands and first names.
_WORDS = """
bal bed bes bij bok bos bus dag dak dam das dek den dop eik emu fee gnu gom hap hek hik
hok hoi hut ijs jam jas kam kan kar kat kei kin kip kok kom kop lam lip lus map mok mol
mos mus nat nek net oog ooi oor ark pad pak pan pap pen pet pit pop rad ree ren rij rob
rok rol rug sap ski sla sok tak tam tas tip tof tol ton top tor uil vis vla vos web weg
wei wol zee zon ara

auto bank beek berg berk blad blij blok boek boom boon boot bord bouw bril bron brug buik
dans dauw deur dier dino dorp doos duif duim duin eend egel erwt fijn film fles gans geel
geit golf gras haan haar haas hand harp hart hert hoed hond hooi huis jaar jojo judo jurk
kaas kano kast kers kiwi klas klei klim klok knap knie knop koek kook kool koor kous krab
kuif kust lach lama lamp land lees leuk lied lief lijm lint loep loop luit maan mais mand
mees meer melk mier mooi muis munt muts muur neus noot oven park pauw peer pion poot pony
pret prei raam riem riet ring rits rood room roos roze rups slak slee slim slot snel soep
spar spel stad step ster stil stip stok tand teen tent thee toon touw tram trap trui tuba
tuin tulp vaas veer veld verf vest vink vlag vlot voet vork warm week wiel wind wolk worm
zaag zaal zalm zand zang zeep zeil zing zoet zwem

aarde appel bever blauw bloem bonen broek brood cavia droom druif emmer feest fiets fluit
giraf groen hamer heide ijsje kaart kamer kever koala kraai krijt kroon kwast laars leeuw
lente linde lucht maand mango merel meeuw molen otter paard panda paars piano pizza plant
poort prins pruim raket regen robot sjaal snoep speel sport stoel sterk taart tafel teken
toren trein viool wafel wagen weide zacht zebra zomer zwaan
"""

WORDS: tuple[str, ...] = tuple(_WORDS.split())
_BY_LENGTH = {n: tuple(w for w in WORDS if len(w) == n) for n in WORD_LENGTHS}
_BANNED = re.compile("|".join(BANNED_DIGIT_GROUPS))


def _digit_groups(count: int) -> tuple[str, ...]:
    groups = ("".join(g) for g in itertools.product(DIGITS, repeat=count))
    return tuple(g for g in groups if not _BANNED.search(g))


_GROUPS = {n: _digit_groups(PASSWORD_LENGTH - n) for n in WORD_LENGTHS}
_SHAPE = re.compile(r"([a-z]{3,5})([2-9]{1,3})")


def password_count() -> int:
    """How many different word passwords exist (log2 of it is the entropy in bits)."""
    return sum(len(_BY_LENGTH[n]) * len(_GROUPS[n]) for n in WORD_LENGTHS)


def word_password(randbelow: Callable[[int], int] = secrets.randbelow) -> str:
    """A word password drawn uniformly from all of them with the operating system's CSPRNG.

    `randbelow` is replaceable only so that the demo can derive reproducible passwords.
    """
    index = randbelow(password_count())
    for length in WORD_LENGTHS:
        words, groups = _BY_LENGTH[length], _GROUPS[length]
        if index < len(words) * len(groups):
            word, group = divmod(index, len(groups))
            return words[word] + groups[group]
        index -= len(words) * len(groups)
    raise AssertionError("randbelow returned a number out of range")


def is_word_password(text: str) -> bool:
    """True when `text` is one of the passwords `word_password` can return."""
    match = _SHAPE.fullmatch(text)
    if match is None or len(text) != PASSWORD_LENGTH:
        return False
    word, digits = match.groups()
    return word in _BY_LENGTH[len(word)] and digits in _GROUPS[len(word)]
