from django import forms

from integrations.models import ApiKey


class ApiKeyCreateForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        help_text="Who or what will use the key, e.g. “Website sync” or “Zapier”.",
    )
    scope = forms.ChoiceField(
        choices=ApiKey.Scope.choices,
        initial=ApiKey.Scope.READ,
        widget=forms.RadioSelect,
        help_text=(
            "Read only: GET requests only. Read and write: may also create, change and move "
            "leads like a manager."
        ),
    )

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError("Give the key a name.")
        return name
