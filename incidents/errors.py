"""Typed errors, so callers (CLI, dashboard) can tell the analyst what went wrong."""

from __future__ import annotations


class IncidentsError(Exception):
    """Base class of every error this package raises on purpose."""


class IngestError(IncidentsError):
    """A whole file could not be read (row-level problems go to quarantine instead).

    ``filename``, ``row`` and ``column`` say where, when known; ``str()`` leads
    with them, so every message names the file it is about.
    """

    def __init__(
        self,
        message: str,
        *,
        filename: str | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.filename = filename
        self.row = row
        self.column = column

    def __str__(self) -> str:
        return self.describe()

    def describe(self, language: str = "en") -> str:
        """The message in ``language``, led by where it happened (``str()`` is the English)."""
        from incidents.i18n import translate, translate_stored

        where = [self.filename] if self.filename else []
        if self.row is not None:
            where.append(translate("error.where_row", language, row=self.row))
        if self.column is not None:
            where.append(translate("error.where_column", language, column=repr(self.column)))
        message = translate_stored(self.message, language)
        if not where:
            return message
        return translate("stored.located", language, where=", ".join(where), message=message)


def describe(error: BaseException, language: str = "en") -> str:
    """What to tell the analyst about ``error``, in ``language``: an :class:`IngestError`
    with where it happened, any other error's English text through the catalog's templates."""
    if isinstance(error, IngestError):
        return error.describe(language)
    from incidents.i18n import translate_stored

    return translate_stored(str(error), language)


class FileTooLargeError(IngestError):
    def __init__(self, size: int, limit: int) -> None:
        super().__init__(
            f"file is {size / 1e6:.1f} MB, over the {limit / 1e6:.0f} MB limit"
        )
        self.size = size
        self.limit = limit


class GeocodeError(IncidentsError):
    """A geocoder failed in a way the caller should know about."""


class StoreError(IncidentsError):
    """The embedded store could not complete an operation; it is left unchanged."""


class ExportError(IncidentsError):
    """An export format was unknown or could not be written."""
