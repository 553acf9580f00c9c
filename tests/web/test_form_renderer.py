"""Select boxes written in Python (web.form_renderer) are the very HTML Django's templates give."""

from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy
from hypothesis import given, settings
from hypothesis import strategies as st

from minsheng.web.form_renderer import Renderer

TEXT = st.text(alphabet=st.sampled_from(list("ab<>&\"' 区街道社区1 ")), max_size=8)


def both(field: forms.Field, data=None, initial=None) -> tuple[str, str]:
    class Form(forms.Form):
        pass

    Form.base_fields = {"choice": field}
    ours = Form(data, initial=initial, renderer=Renderer())
    django = Form(data, initial=initial, renderer=DjangoTemplates())
    return str(ours["choice"]), str(django["choice"])


def test_a_select_box_is_written_as_django_writes_it():
    choices = [("", "—"), ("a", "甲 <b>"), (3, 4), ("组", [("x", "乙 & 丙"), ("y", gettext_lazy("区域"))]),
               ("z", mark_safe("<i>已转义</i>"))]
    cases = [
        both(forms.ChoiceField(choices=choices)),
        both(forms.ChoiceField(choices=choices, required=False), data={"choice": "x"}),
        both(forms.ChoiceField(choices=choices, disabled=True,
                               widget=forms.Select(attrs={"class": "picker", "data-x": '"q"'}))),
        both(forms.MultipleChoiceField(choices=choices), data={"choice": ["a", "y"]}),
        both(forms.NullBooleanField(), initial={"choice": True}),
        both(forms.TypedChoiceField(choices=[(1, "一"), (2, "二")], coerce=int), initial={"choice": 2}),
        both(forms.ChoiceField(choices=[])),
    ]
    for ours, django in cases:
        assert ours == django
    assert "<select" in cases[0][0] and "&lt;b&gt;" in cases[0][0] and "<i>已转义</i>" in cases[0][0]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(TEXT, TEXT), max_size=6, unique_by=lambda c: c[0]), st.booleans(), st.data())
def test_random_select_boxes_are_written_as_django_writes_them(choices, multiple, data):
    picked = data.draw(st.lists(st.sampled_from([c[0] for c in choices]), max_size=2)) if choices else []
    field = (forms.MultipleChoiceField(choices=choices, required=False) if multiple
             else forms.ChoiceField(choices=choices, required=False))
    ours, django = both(field, data={"choice": picked if multiple else (picked[:1] or [""])[0]})
    assert ours == django


def test_a_select_with_its_own_option_template_goes_through_the_templates():
    class Own(forms.Select):
        option_template_name = "django/forms/widgets/select_option.html"  # the standard one: written in Python

    class Other(forms.Select):
        option_template_name = "django/forms/widgets/input_option.html"

    assert both(forms.ChoiceField(choices=[("a", "甲")], widget=Own()))[0].startswith("<select")
    ours, django = both(forms.ChoiceField(choices=[("a", "甲")], widget=Other()))
    assert ours == django and "<option" not in ours
