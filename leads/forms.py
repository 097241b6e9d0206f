"""Forms of the lead pages: the list's filter bar and the stage move.

No business rule lives here: which moves are legal is decided by `funnel.services`
(the move form accepts any known stage and lets the one writer refuse); the list filter
only narrows a queryset already scoped by `leads.selectors.leads_visible_to`.
"""

from datetime import date, timedelta

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from funnel.roles import MANAGERS, SALES, is_sales_rep
from funnel.stages import STAGE_CHOICES, Stage, next_stages
from leads.filters import LeadFilter
from leads.models import Lead
from leads.services import EDITABLE_FIELD_ORDER
from marketing.models import Campaign

# What each move means to a person, shown beside the choice (docs/architecture.md,
# "The stage machine").
MOVE_HINTS: dict[tuple[str, str], str] = {
    (Stage.LEAD, Stage.PROSPECT): "Qualified: hand over to sales",
    (Stage.LEAD, Stage.DISQUALIFIED): "Not a fit right now",
    (Stage.PROSPECT, Stage.CUSTOMER): "First deal won",
    (Stage.PROSPECT, Stage.LOST): "Deal lost or went silent",
    (Stage.PROSPECT, Stage.LEAD): "Recycle to marketing",
    (Stage.DISQUALIFIED, Stage.LEAD): "Re-engaged",
    (Stage.LOST, Stage.LEAD): "Recycle to marketing",
    (Stage.LOST, Stage.PROSPECT): "Reopen with sales",
    (Stage.CUSTOMER, Stage.PROSPECT): "Managers only: undo a sale recorded by mistake (say why)",
}

# Forward moves first: the choice a person most often makes leads the list.
MOVE_ORDER = [Stage.PROSPECT, Stage.CUSTOMER, Stage.LOST, Stage.LEAD, Stage.DISQUALIFIED]

SORTS: dict[str, tuple[str, tuple[str, ...]]] = {
    # key: (label, ordering ending with the pk, so keyset pagination has a total order)
    "-created": ("Newest first", ("-created_at", "-id")),
    "created": ("Oldest first", ("created_at", "id")),
    "-score": ("Highest score", ("-score", "-id")),
    "score": ("Lowest score", ("score", "id")),
    "name": ("Name A-Z", ("last_name", "first_name", "id")),
    "-name": ("Name Z-A", ("-last_name", "-first_name", "-id")),
}
DEFAULT_SORT = "-created"
OWNER_ME = "me"
OWNER_NONE = "none"


class LeadMoveForm(forms.Form):
    to_stage = forms.ChoiceField(label="Move to", choices=STAGE_CHOICES, widget=forms.RadioSelect)
    reason = forms.CharField(
        label="Reason",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "Why, in a few words"}),
    )

    def __init__(self, *args, lead: Lead, manager: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.lead = lead
        # Managers also see the restricted moves (funnel.stages.RESTRICTED_MOVES).
        self.manager = manager
        # Offer only what the graph allows from here; validation still accepts any known
        # stage so a stale form reaches the service, which refuses it with a clear message.
        self.fields["to_stage"].widget.choices = [
            (stage.value, stage.label) for stage in self.allowed
        ]

    @property
    def allowed(self) -> list[Stage]:
        return sorted(next_stages(self.lead.stage, manager=self.manager), key=MOVE_ORDER.index)

    @property
    def options(self) -> list[dict[str, str]]:
        return [
            {
                "value": stage.value,
                "label": stage.label,
                "hint": MOVE_HINTS.get((Stage(self.lead.stage), stage), ""),
            }
            for stage in self.allowed
        ]


class LeadListFilterForm(forms.Form):
    search = forms.CharField(
        label="Search",
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": "Name, email, company or phone",
                "autocomplete": "off",
            }
        ),
    )
    stage = forms.ChoiceField(
        label="Stage", required=False, choices=[("", "Any stage"), *STAGE_CHOICES]
    )
    owner = forms.ChoiceField(label="Owner", required=False)
    source_campaign = forms.ModelChoiceField(
        label="Source campaign",
        required=False,
        queryset=Campaign.objects.none(),
        empty_label="Any campaign",
    )
    created_after = forms.DateField(
        label="Created from", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    created_before = forms.DateField(
        label="Created to", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    sort = forms.ChoiceField(
        label="Sort by",
        required=False,
        choices=[(key, label) for key, (label, _) in SORTS.items()],
    )

    def __init__(self, *args, user, with_stage: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        if not with_stage:
            del self.fields["stage"]
        self.fields["owner"].choices = self._owner_choices(user)
        self.fields["source_campaign"].queryset = Campaign.objects.order_by("name")

    @staticmethod
    def _owner_choices(user) -> list[tuple[str, str]]:
        choices = [("", "Anyone"), (OWNER_ME, "Me"), (OWNER_NONE, "Unassigned")]
        if is_sales_rep(user) and not user.is_superuser:
            # A rep sees only their own and unassigned leads: other names would filter to
            # nothing and leak who else works here.
            return choices
        owners = (
            get_user_model()
            .objects.filter(is_active=True, groups__name__in=[SALES, MANAGERS])
            .exclude(pk=user.pk)
            .distinct()
            .order_by("first_name", "last_name", "username")
        )
        return choices + [(str(u.pk), u.get_full_name() or u.username) for u in owners]

    def clean(self):
        cleaned = super().clean()
        after, before = cleaned.get("created_after"), cleaned.get("created_before")
        if after and before and after > before:
            self.add_error("created_before", "The end date is before the start date.")
        return cleaned

    @property
    def sort_key(self) -> str:
        self.is_valid()
        value = self.cleaned_data.get("sort")
        return value if value in SORTS else DEFAULT_SORT

    @property
    def ordering(self) -> tuple[str, ...]:
        return SORTS[self.sort_key][1]

    @property
    def active_count(self) -> int:
        """How many filters narrow the list (sort and search excluded), for the UI."""
        self.is_valid()
        names = ("stage", "owner", "source_campaign", "created_after", "created_before")
        return sum(1 for name in names if self.cleaned_data.get(name))

    def filter(self, leads: QuerySet[Lead]) -> QuerySet[Lead]:
        """Narrow `leads` with the API's `LeadFilter`, so a filter or a search means the
        same on the page and in the API. This form only speaks the page's language:
        inclusive dates, "me" and "unassigned" owners. An invalid field shows its error
        and is ignored rather than emptying the list."""
        self.is_valid()
        data = self.cleaned_data
        query: dict[str, object] = {"search": data.get("search") or ""}
        if data.get("stage"):
            query["stage"] = [data["stage"]]
        owner = data.get("owner")
        if owner == OWNER_ME:
            query["owner"] = self.user.pk
        elif owner == OWNER_NONE:
            query["unassigned"] = True
        elif owner:
            query["owner"] = owner
        if data.get("source_campaign"):
            query["source_campaign"] = data["source_campaign"].pk
        if data.get("created_after"):
            query["created_after"] = data["created_after"].isoformat()
        if data.get("created_before") and data["created_before"] < date.max:
            # "Created to" includes its day; the filter's created_before is exclusive.
            query["created_before"] = (data["created_before"] + timedelta(days=1)).isoformat()
        return LeadFilter(query, queryset=leads).qs


# The fields a person may create or correct: exactly what the API and the services accept.
EDIT_FIELDS = EDITABLE_FIELD_ORDER


class LeadEditForm(forms.Form):
    """Create or edit a lead. Field-level checks come from the model fields (as in the
    API's serializer); email normalisation, uniqueness and the merge policy are the
    services' (`lead_create`, `lead_update`), whose ValidationErrors land on the fields.

    `version` carries the lead's version (`lead_version`) from when the form was opened,
    so a save over someone else's newer one is detected instead of overwriting it.
    """

    version = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, lead: Lead | None = None, **kwargs) -> None:
        if lead is not None and "initial" not in kwargs:
            kwargs["initial"] = lead_initial(lead)
        super().__init__(*args, **kwargs)
        self.lead = lead
        fields = forms.fields_for_model(Lead, fields=EDIT_FIELDS)
        # The model field's unique check would be a second, case-sensitive query; the
        # service's unique index is the check.
        fields["email"] = forms.EmailField(label="Email", max_length=254)
        fields["source_campaign"].queryset = Campaign.objects.order_by("name")
        fields["source_campaign"].label = "Source campaign"
        fields["marketing_consent"].label = "Agreed to receive marketing"
        self.fields.update(fields)

    def changed_values(self) -> dict:
        """The cleaned values that differ from the lead as the form was opened (all of
        them for a new lead): an edit writes only what the person changed."""
        data = {name: self.cleaned_data[name] for name in EDIT_FIELDS}
        if self.lead is None:
            return data
        return {name: data[name] for name in self.changed_data if name in EDIT_FIELDS}


def lead_initial(lead: Lead) -> dict:
    return {name: getattr(lead, Lead._meta.get_field(name).attname) for name in EDIT_FIELDS}
