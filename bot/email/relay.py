"""The SMTP relay: one connection per email, STARTTLS where configured, a login where credentials are set.

Every answer is sorted into sent, temporary (a 4xx reply, a dropped connection, a timeout: try again later) or
permanent (a 5xx refusal of the sender, a recipient or the message: unknown mailbox, refused domain). Errors carry
the relay's code and the exception's type, never its text: a relay's answer can quote the address.
"""
from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage

from bot.domain.email_config import EmailSettings, is_loopback

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 20.0


@dataclass(frozen=True)
class Sent:
    ok: bool
    permanent: bool = False
    error: str = ""  # e.g. "550: the relay refused the recipient" or "SMTPServerDisconnected"
    unreachable: bool = False  # no relay answered in time: the others due now wait too


class Relay:
    def __init__(self, settings: EmailSettings, *, username: str | None = None, password: str | None = None,
                 timeout: float = TIMEOUT_SECONDS) -> None:
        self.settings = settings
        self.username = username
        self.password = password
        self.timeout = timeout

    def send(self, message: EmailMessage) -> Sent:
        settings = self.settings
        smtp: smtplib.SMTP | None = None
        try:
            smtp = smtplib.SMTP(settings.server, settings.port, timeout=self.timeout)
            smtp.ehlo()
            if settings.starttls:
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if self.username:
                smtp.login(self.username, self.password or "")
            smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as error:
            code = min((answer[0] for answer in error.recipients.values()), default=0)
            return _refused(code, "the recipient")
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as error:
            return _refused(error.smtp_code, "the sender" if isinstance(error, smtplib.SMTPSenderRefused)
                            else "the message")
        except smtplib.SMTPAuthenticationError as error:
            log.error("the SMTP relay refused Joined Up's login (%s): check JOINEDUP_SMTP_USERNAME and "
                      "JOINEDUP_SMTP_PASSWORD", error.smtp_code)
            return Sent(False, error=f"{error.smtp_code}: the relay refused the login")
        except smtplib.SMTPResponseException as error:
            return Sent(False, error=f"{error.smtp_code} from the relay")
        except smtplib.SMTPException as error:  # dropped, or no STARTTLS
            return Sent(False, error=type(error).__name__)
        except OSError as error:  # refused, unreachable, timed out
            return Sent(False, error=type(error).__name__, unreachable=True)
        finally:
            if smtp is not None:
                _quit(smtp)
        return Sent(True)


def _refused(code: int, what: str) -> Sent:
    if 500 <= code < 600:
        return Sent(False, permanent=True, error=f"{code}: the relay refused {what}")
    return Sent(False, error=f"{code}: the relay deferred {what}")


def _quit(smtp: smtplib.SMTP) -> None:
    """The email is already taken or refused: a QUIT that fails changes nothing."""
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()


def check_relay(settings: EmailSettings, *, username: str | None, password: str | None,
                timeout: float = 10.0) -> str | None:
    """Connect, greet, STARTTLS and log in, sending nothing: None if all went well, else what went wrong
    (for `joinedup doctor`)."""
    try:
        smtp = smtplib.SMTP(settings.server, settings.port, timeout=timeout)
    except OSError as error:
        return f"could not connect ({type(error).__name__})"
    try:
        smtp.ehlo()
        if settings.starttls:
            smtp.starttls(context=ssl.create_default_context())
            smtp.ehlo()
        elif not is_loopback(settings.server):
            return "STARTTLS is off for a relay not on this machine"
        if username:
            smtp.login(username, password or "")
        return None
    except smtplib.SMTPNotSupportedError:
        return "the relay does not offer STARTTLS (or a login)"
    except smtplib.SMTPResponseException as error:
        return f"the relay answered {error.smtp_code}"
    except (smtplib.SMTPException, OSError) as error:
        return type(error).__name__
    finally:
        _quit(smtp)
