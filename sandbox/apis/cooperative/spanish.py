"""Amounts in Spanish words, as Mexican contracts write them ("cincuenta mil pesos 00/100 M.N.")."""
from __future__ import annotations

_UNITS = ("cero uno dos tres cuatro cinco seis siete ocho nueve diez once doce trece catorce quince "
          "dieciséis diecisiete dieciocho diecinueve veinte veintiuno veintidós veintitrés "
          "veinticuatro veinticinco veintiséis veintisiete veintiocho veintinueve").split()
_TENS = {3: "treinta", 4: "cuarenta", 5: "cincuenta", 6: "sesenta", 7: "setenta", 8: "ochenta",
         9: "noventa"}
_HUNDREDS = ("", "ciento", "doscientos", "trescientos", "cuatrocientos", "quinientos",
             "seiscientos", "setecientos", "ochocientos", "novecientos")


def amount_in_words(pesos: int) -> str:
    return f"{number_in_words(pesos)} pesos 00/100 M.N."


def number_in_words(n: int) -> str:
    """0 to 999,999,999 in Spanish words."""
    if n == 0:
        return "cero"
    millions, rest = divmod(n, 1_000_000)
    thousands, units = divmod(rest, 1000)
    words = []
    if millions:
        words.append("un millón" if millions == 1 else f"{_apocope(_below_thousand(millions))} millones")
    if thousands:
        words.append("mil" if thousands == 1 else f"{_apocope(_below_thousand(thousands))} mil")
    if units:
        words.append(_below_thousand(units))
    return " ".join(words)


def _below_thousand(n: int) -> str:
    if n == 100:
        return "cien"
    hundreds, rest = divmod(n, 100)
    words = [_HUNDREDS[hundreds]] if hundreds else []
    if 0 < rest < 30:
        words.append(_UNITS[rest])
    elif rest:
        tens, unit = divmod(rest, 10)
        words.append(_TENS[tens] + (f" y {_UNITS[unit]}" if unit else ""))
    return " ".join(words)


def _apocope(words: str) -> str:
    """'uno' before mil/millones shortens: veintiún mil, treinta y un mil."""
    if words.endswith("veintiuno"):
        return words[:-len("veintiuno")] + "veintiún"
    return words[:-3] + "un" if words.endswith("uno") else words
