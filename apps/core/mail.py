"""The SMTP backend of MAILERS: Django's, declaring 8-bit bodies to a server that takes them."""

import smtplib

from django.core.mail.backends import smtp


class _Declares8Bit:
    """A message that is not plain ASCII goes with BODY=8BITMIME (RFC 6152) to a server that
    announced 8BITMIME; anything else goes as smtplib sends it."""

    def sendmail(self, from_addr, to_addrs, msg, mail_options=(), rcpt_options=()):
        if isinstance(msg, bytes) and not msg.isascii() and accepts_8bit(self):
            mail_options = (*mail_options, "BODY=8BITMIME")
        return super().sendmail(from_addr, to_addrs, msg, mail_options, rcpt_options)


class _SMTP(_Declares8Bit, smtplib.SMTP):
    pass


class _SMTPSSL(_Declares8Bit, smtplib.SMTP_SSL):
    pass


def accepts_8bit(server: smtplib.SMTP) -> bool:
    """Whether this open SMTP connection's server announced 8BITMIME (asking it, once)."""
    server.ehlo_or_helo_if_needed()
    return server.has_extn("8bitmime")


class EmailBackend(smtp.EmailBackend):
    """Django's SMTP backend, whose connection declares 8-bit bodies (_Declares8Bit)."""

    @property
    def connection_class(self):
        return _SMTPSSL if self.use_ssl else _SMTP

    def accepts_8bit(self) -> bool:
        """Whether the open connection may carry 8-bit bodies; False when none is open."""
        return isinstance(self.connection, _Declares8Bit) and accepts_8bit(self.connection)
