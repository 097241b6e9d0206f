"""The embedded default's email backend: every message goes to a table the Outbox page
reads (mail.SinkMessage), as it would arrive. No account, no network."""

from django.core.mail.backends.base import BaseEmailBackend


class SinkBackend(BaseEmailBackend):
    def send_messages(self, email_messages) -> int:
        from mail.models import SinkMessage

        rows = []
        for message in email_messages:
            html = ""
            for content, mimetype in getattr(message, "alternatives", []) or []:
                if mimetype == "text/html":
                    html = content
            rows.append(
                SinkMessage(
                    message_id=message.extra_headers.get("Message-ID", ""),
                    to=", ".join(message.to),
                    from_email=message.from_email,
                    subject=message.subject,
                    headers={k: str(v) for k, v in message.extra_headers.items()},
                    body_text=message.body,
                    body_html=html,
                )
            )
        SinkMessage.objects.bulk_create(rows)
        return len(rows)
