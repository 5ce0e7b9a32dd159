"""Validation messages as sentences a person wrote: marshmallow's defaults read "Length must be
between 1 and None characters." and "Must be one of: M, F, O, .", which a client cannot act on."""
from __future__ import annotations

from marshmallow import validate


def listing(choices) -> str:
    """M, F or O; an empty choice is said as such."""
    shown = [repr(c) if isinstance(c, str) and c.strip() != c else str(c)
             for c in choices if c != ""]
    text = shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " or " + shown[-1]
    return text + (" (or empty)" if "" in choices else "")


def one_of(choices) -> validate.OneOf:
    return validate.OneOf(choices, error=f"Must be one of {listing(choices)}.")


LENGTH = "Length"  # every length message starts with it, so a caller can tell length faults apart


def length(minimum: int | None = None, maximum: int | None = None) -> validate.Length:
    """A text length rule whose message says only the bounds it has."""
    if minimum and maximum:
        said = (f"exactly {minimum} characters" if minimum == maximum
                else f"{minimum} to {maximum} characters")
    elif maximum:
        said = f"at most {maximum} characters"
    elif minimum == 1:
        said = "at least 1 character (not empty)"
    else:
        said = f"at least {minimum} characters"
    return validate.Length(minimum, maximum, error=f"{LENGTH} must be {said}.")
