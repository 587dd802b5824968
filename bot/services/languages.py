"""Each person's language: Cymraeg or English, chosen in App Home or with `/joinedup language`, defaulting to the
partnership's. Everything said to a person is said in their voice; a channel's posts in its agency's."""
from __future__ import annotations

from sqlalchemy import bindparam, select
from sqlalchemy.exc import SQLAlchemyError

from bot.domain.clock import Clock
from bot.domain.config import Partnership
from bot.i18n import ENGLISH, LANGUAGES, WELSH, Voice
from storage.db import Database, upserts
from storage.models import PersonLanguage

_TABLE = PersonLanguage.__table__
_CHOSEN = select(_TABLE.c.language).where(_TABLE.c.user_id == bindparam("user_id"))
# What a person may type for each language, in either language.
NAMES = {"cy": WELSH, "cymraeg": WELSH, "welsh": WELSH, "en": ENGLISH, "saesneg": ENGLISH, "english": ENGLISH}


def voice_for(partnership: Partnership, language: str) -> Voice:
    return Voice(language=language, timezone=partnership.timezone, overrides=partnership.languages.translations,
                 words=partnership.languages.welsh)


class PersonLanguages:
    def __init__(self, *, db: Database, partnership: Partnership, clock: Clock) -> None:
        self.db = db
        self.partnership = partnership
        self.clock = clock

    @property
    def offered(self) -> bool:
        """Whether people choose: only where the partnership works in both languages."""
        return self.partnership.languages.bilingual

    def of(self, user_id: str | None) -> str:
        default = self.partnership.languages.default
        if not user_id or not self.offered:
            return default
        try:
            row = self.db.first(_CHOSEN, {"user_id": user_id})
        except SQLAlchemyError:
            return default  # the answer that follows says the database is away, in the partnership's language
        return row[0] if row and row[0] in LANGUAGES else default

    def voice_of(self, user_id: str | None) -> Voice:
        return voice_for(self.partnership, self.of(user_id))

    def channel_voice(self, agency_key: str) -> Voice:
        agency = self.partnership.agency(agency_key)
        return voice_for(self.partnership, agency.language if agency else self.partnership.languages.default)

    def choose(self, user_id: str, language: str) -> None:
        with self.db.write_core() as connection:
            statement = _UPSERT[connection.dialect.name]
            connection.execute(statement, {"user_id": user_id, "language": language, "chosen_at": self.clock.now()})


_UPSERT = upserts(_TABLE)
