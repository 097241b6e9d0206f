from django import forms

from mail.models import EmailTemplate, MailKind, Suppression


class ComposeForm(forms.Form):
    template = forms.ModelChoiceField(
        queryset=EmailTemplate.objects.none(),
        required=False,
        empty_label="Free text",
        help_text="Start from a template; its text fills the fields below when empty.",
    )
    subject = forms.CharField(max_length=300, required=False)
    body_text = forms.CharField(
        label="Message",
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text="Merge fields: {{ first_name }}, {{ company }}, {{ rep_signature }}; "
        "a fallback for an empty value after a bar: {{ first_name|there }}.",
    )
    body_html = forms.CharField(
        label="HTML version", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    send_after = forms.DateTimeField(
        label="Send at",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text="Empty: send now.",
    )

    def __init__(self, *args, templates=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = templates or EmailTemplate.objects.none()

    def contents(self) -> tuple[str, str, str]:
        data = self.cleaned_data
        template = data.get("template")
        subject = data.get("subject") or (template.subject if template else "")
        text = data.get("body_text") or (template.body_text if template else "")
        html = data.get("body_html") or (template.body_html if template else "")
        return subject, text, html


class SuppressionForm(forms.Form):
    email = forms.EmailField(max_length=254)
    detail = forms.CharField(max_length=500, required=False, label="Why")


class TemplateForm(forms.Form):
    """A template's fields; the merge fields, size and HTML are checked by
    mail.services.template_save, which names the field at fault."""

    name = forms.CharField(max_length=200)
    kind = forms.ChoiceField(
        choices=MailKind.choices,
        help_text="Marketing email goes only to leads with marketing consent.",
    )
    subject = forms.CharField(max_length=300)
    body_text = forms.CharField(
        label="Plain text",
        strip=False,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text="Merge fields such as {{ first_name }}; a fallback for an empty value "
        "after a bar: {{ first_name|there }}. At most 1 MB.",
    )
    body_html = forms.CharField(
        label="HTML",
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Optional. Sanitised when saved: scripts, styles and event attributes "
        "are removed. At most 1 MB.",
    )
    preview_email = forms.CharField(
        label="Preview as",
        required=False,
        max_length=254,
        help_text="A lead's email address; empty: the first lead you can see.",
    )

    def __init__(self, *args, kinds=None, **kwargs):
        super().__init__(*args, **kwargs)
        if kinds is not None:
            self.fields["kind"].choices = kinds


__all__ = ["ComposeForm", "Suppression", "SuppressionForm", "TemplateForm"]


class CampaignSendForm(forms.Form):
    name = forms.CharField(max_length=200, help_text="For the report, e.g. “March newsletter”.")
    saved_view = forms.ModelChoiceField(
        queryset=None, label="Send to (saved view)", empty_label=None
    )
    campaign = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label="Campaign",
        help_text="Opens and clicks count as touches of this campaign (attribution).",
    )
    template = forms.ModelChoiceField(queryset=None, required=False, empty_label="Free text")
    subject = forms.CharField(max_length=300, required=False)
    body_text = forms.CharField(
        label="Plain text", required=False, widget=forms.Textarea(attrs={"rows": 10})
    )
    body_html = forms.CharField(
        label="HTML", required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    scheduled_at = forms.DateTimeField(
        label="Send at",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text="Empty: now.",
    )
    preview_email = forms.EmailField(
        label="Preview as",
        required=False,
        help_text="A lead's address; empty: the view's first lead.",
    )

    def __init__(self, *args, views=None, campaigns=None, templates=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["saved_view"].queryset = views
        self.fields["campaign"].queryset = campaigns
        self.fields["template"].queryset = templates

    def contents(self) -> tuple[str, str, str]:
        data = self.cleaned_data
        template = data.get("template")
        subject = data.get("subject") or (template.subject if template else "")
        text = data.get("body_text") or (template.body_text if template else "")
        html = data.get("body_html") or (template.body_html if template else "")
        return subject, text, html
