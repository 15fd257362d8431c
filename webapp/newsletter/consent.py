"""The consent sentences readers agree to, by version: the exact words shown are the words stored."""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Consent:
    """One wording of the consent sentence shown next to the signup button."""

    version: str
    text: str


# Never edit a published wording: add a new version, so every stored signup keeps the words it agreed to.
CONSENTS = {
    "2026-11": Consent(
        "2026-11",
        "By signing up, you agree that Healthy Tips may email you one article a week. "
        "Each email has a link to unsubscribe, and we never share or sell your address.",
    ),
}
CURRENT = CONSENTS["2026-11"]


def consent_for(version: str | None) -> Consent:
    """The wording a form showed, by its version; the current one when the version is unknown."""
    return CONSENTS.get(version or "", CURRENT)
