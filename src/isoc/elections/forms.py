"""Forms of the public election pages. They only shape input: ``services`` checks the
rules, and a refusal comes back as an error on the field it names."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from isoc.elections import models as em


class ContestChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: em.Contest) -> str:
        return obj.electorate.name


class NominationForm(forms.Form):
    """Standing for election: the contest, and the name and address the electorate sees."""

    contest = ContestChoice(queryset=em.Contest.objects.none(), label=_("Contest"), empty_label=None,
                            help_text=_("The electorate whose seats you stand for."))
    name = forms.CharField(label=_("Name"), max_length=200, help_text=_("As it will appear on the ballot."))
    email = forms.EmailField(label=_("Email"), help_text=_("Where the election committee writes to you."))
    statement = forms.CharField(label=_("Statement"), max_length=5000, required=False,
                                widget=forms.Textarea(attrs={"rows": 8}),
                                help_text=_("Why you stand and what you would bring to the Board (published)."))

    def __init__(self, *args, election: em.Election, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contest"].queryset = election.contests.select_related("electorate").order_by(
            "electorate__order")


class QuestionForm(forms.Form):
    question = forms.CharField(label=_("Your question"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}),
                               help_text=_("Published with the candidate's answer."))


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("Your answer"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5}),
                             help_text=_("Published under the question; it cannot be changed afterwards."))


class ChallengeForm(forms.Form):
    grounds = forms.CharField(label=_("Grounds"), max_length=5000, widget=forms.Textarea(attrs={"rows": 8}),
                              help_text=_("What was wrong with the election or its count, and how you know. "
                                          "Published with the decision."))
