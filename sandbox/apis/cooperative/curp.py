"""The CURP (Clave Única de Registro de Población) of a person, built as RENAPO assigns it.

18 characters: paternal surname's initial and first inner vowel, maternal surname's initial, given
name's initial, birth date YYMMDD, sex H/M, birth state code, the first inner consonant of each of
the three names, a homoclave (a digit for births before 2000, a letter from 2000 on) and a check
digit. The word lists the rules need (particles, common first names, inconvenient words) are data
in scenarios/data/cooperative_vocabulary.yaml.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

# The check digit's dictionary: each character is worth its position (Ñ sits between N and O).
DICTIONARY = "0123456789ABCDEFGHIJKLMNÑOPQRSTUVWXYZ"
VOWELS = frozenset("AEIOU")
_WORD = re.compile(r"[A-ZÑ]+")


def check_digit(first17: str) -> str:
    total = sum(DICTIONARY.index(char) * (18 - position)
                for position, char in enumerate(first17))
    return str((10 - total % 10) % 10)


@dataclass(frozen=True)
class CurpRules:
    particles: frozenset[str]
    common_first_names: frozenset[str]
    inconvenient_words: frozenset[str]

    @classmethod
    def from_data(cls, data: dict) -> "CurpRules":
        return cls(*(frozenset(_letters(word) for word in data[name])
                     for name in ("particles", "common_first_names", "inconvenient_words")))

    def build(self, given_names: str, paternal: str, maternal: str, birth: date, sex: str,
              state_code: str, homoclave: str) -> str:
        given = self._given_word(given_names)
        paternal, maternal = self._surname_word(paternal), self._surname_word(maternal)
        initials = (_initial(paternal) + _inner(paternal, VOWELS.__contains__)
                    + _initial(maternal) + _initial(given))
        if initials in self.inconvenient_words:
            initials = initials[0] + "X" + initials[2:]
        consonants = "".join(_inner(word, _is_consonant) for word in (paternal, maternal, given))
        first17 = (initials + birth.strftime("%y%m%d") + sex + state_code + consonants
                   + homoclave)
        return first17 + check_digit(first17)

    def _surname_word(self, surname: str) -> str:
        words = _words(surname)
        kept = [word for word in words if word not in self.particles] or words
        return kept[0] if kept else ""

    def _given_word(self, given_names: str) -> str:
        words = [word for word in _words(given_names) if word not in self.particles]
        if len(words) > 1 and words[0] in self.common_first_names:
            words = words[1:]
        return words[0] if words else ""


def _letters(text: str) -> str:
    """Upper case without accents, keeping Ñ (NFD would split it into N and a tilde)."""
    text = text.upper().replace("Ñ", "\0")
    text = "".join(char for char in unicodedata.normalize("NFD", text)
                   if not unicodedata.combining(char))
    return text.replace("\0", "Ñ")


def _words(text: str) -> list[str]:
    return _WORD.findall(_letters(text))


def _initial(word: str) -> str:
    # A missing name and an Ñ both count as X.
    return "X" if not word or word[0] == "Ñ" else word[0]


def _is_consonant(char: str) -> bool:
    return char not in VOWELS


def _inner(word: str, wanted) -> str:
    """The first character after the initial that `wanted` accepts; X when there is none or it
    is an Ñ."""
    for char in word[1:]:
        if wanted(char):
            return "X" if char == "Ñ" else char
    return "X"
