"""Rule sets compared and varied: what differs between two (`diff_rulesets`), and a validated rule set with some
check parameters changed (`with_params`), which a sweep builds one step at a time without writing a file.

A variant is the validated `RuleSet` copied with the changed check's `Params` validated again, exactly as the
rule-set file's would be (ranges, and the check's own rules between its parameters), so no variant can hold a
value a file could not. It keeps the rule set's name; its version names the change (`2012.3+CP2-CUS-04.pass_at=
0.25`) and its SHA-256 is that of the base rule set's hash and the changes, so each variant's records are told
apart and a variant is the same variant however it was built.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from types import MappingProxyType
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from csu_assure.catalogue import Catalogue
from csu_assure.checking import CheckParams
from csu_assure.domain import Checkpoint
from csu_assure.ruleset import RuleSet


class ParamInvalid(ValueError):
    """A parameter that does not exist, or a value it cannot take: the message says which and what it can be."""


@dataclass(frozen=True, slots=True)
class ParamRef:
    """One check parameter, as `CP2-CUS-04.pass_at` names it."""

    check_id: str
    name: str

    def __str__(self) -> str:
        return f"{self.check_id}.{self.name}"


def numeric_kind(field_annotation: Any) -> type | None:
    """int, float or Decimal when a parameter holds one number; None otherwise (lists, text, yes/no)."""
    if field_annotation in (int, float, Decimal):
        return field_annotation  # type: ignore[no-any-return]
    return None


def parse_param(catalogue: Catalogue, text: str) -> ParamRef:
    """`CHECK-ID.param` → a parameter of a check in `catalogue`; ParamInvalid naming the check's parameters."""
    check_id, dot, name = text.strip().partition(".")
    if not dot or not name:
        raise ParamInvalid(f"{text!r}: name a parameter as CHECK-ID.parameter, e.g. CP2-CUS-04.pass_at")
    check_id = check_id.upper()
    if check_id not in catalogue.checks:
        raise ParamInvalid(f"{text!r}: no check {check_id} in the catalogue (`csu-assure rules` lists them)")
    fields = catalogue[check_id].params.model_fields
    if name not in fields:
        known = ", ".join(fields) or "none"
        raise ParamInvalid(f"{text!r}: {check_id} has no parameter {name!r} (its parameters: {known})")
    return ParamRef(check_id, name)


def numeric_param(catalogue: Catalogue, text: str) -> ParamRef:
    """A parameter that holds one number (what a sweep can vary)."""
    ref = parse_param(catalogue, text)
    fields = catalogue[ref.check_id].params.model_fields
    if numeric_kind(fields[ref.name].annotation) is None:
        numeric = [n for n, f in fields.items() if numeric_kind(f.annotation) is not None]
        raise ParamInvalid(
            f"{ref}: not a number, so it cannot be swept ({ref.check_id}'s numeric parameters: "
            f"{', '.join(numeric) or 'none'})"
        )
    return ref


def _as_field_value(kind: type | None, value: Any) -> Any:
    """A number as the parameter's own type: a whole Decimal for an int, a float for a float."""
    if isinstance(value, Decimal) and kind is int and value == value.to_integral_value():
        return int(value)
    if isinstance(value, Decimal) and kind is float:
        return float(value)
    return value


def _changed_params(
    catalogue: Catalogue, current: CheckParams, check_id: str, changes: Mapping[str, Any]
) -> CheckParams:
    model = catalogue[check_id].params
    data = current.model_dump()
    for name, value in changes.items():
        data[name] = _as_field_value(numeric_kind(model.model_fields[name].annotation), value)
    try:
        changed: CheckParams = model.model_validate(data)
    except ValidationError as error:
        what = ", ".join(f"{check_id}.{n} = {_show(v)}" for n, v in changes.items())
        reasons = "; ".join(
            f"{'.'.join(str(x) for x in e['loc']) or check_id}: {e['msg']}" for e in error.errors()
        )
        raise ParamInvalid(f"{what} is not allowed: {reasons}") from None
    return changed


def _show(value: Any) -> str:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral_value() else str(value)
    return str(value)


def with_params(ruleset: RuleSet, catalogue: Catalogue, changes: Mapping[ParamRef, Any]) -> RuleSet:
    """`ruleset` with these check parameters changed (see the module docstring); ParamInvalid, naming the
    parameter and why, for a value the rule-set file could not hold either."""
    if not changes:
        return ruleset
    by_check: dict[str, dict[str, Any]] = {}
    for ref, value in changes.items():
        by_check.setdefault(ref.check_id, {})[ref.name] = value
    params = dict(ruleset.params)
    for check_id, named in by_check.items():
        for name in named:
            parse_param(catalogue, f"{check_id}.{name}")  # a clear error for an unknown one
        params[check_id] = _changed_params(catalogue, params[check_id], check_id, named)
    label = ",".join(
        f"{ref}={_show(value)}" for ref, value in sorted(changes.items(), key=lambda c: str(c[0]))
    )
    digest = hashlib.sha256(f"{ruleset.sha256}\n{label}".encode()).hexdigest()
    return replace(
        ruleset,
        version=f"{ruleset.version}+{label}",
        sha256=digest,
        source=f"{ruleset.source} with {label}",
        params=MappingProxyType(params),
        chart_thresholds=MappingProxyType({cp: catalogue.chart_thresholds(params, cp) for cp in Checkpoint}),
    )


def param_value(ruleset: RuleSet, ref: ParamRef) -> Any:
    return getattr(ruleset.params[ref.check_id], ref.name)


def decimal_steps(start: str | Decimal, stop: str | Decimal, steps: int) -> tuple[Decimal, ...]:
    """`steps` evenly spaced values from `start` to `stop` inclusive, exactly (0.20 to 0.40 in 41 steps is
    0.200, 0.205, … 0.400); ParamInvalid for a range that is not one."""
    try:
        first, last = Decimal(str(start)), Decimal(str(stop))
    except InvalidOperation:
        raise ParamInvalid(f"--from {start} / --to {stop}: not numbers") from None
    if not (first.is_finite() and last.is_finite()):
        raise ParamInvalid(f"--from {start} / --to {stop}: not finite numbers")
    if steps < 2:
        raise ParamInvalid(f"--steps {steps}: a sweep needs at least 2 steps")
    if first >= last:
        raise ParamInvalid(f"--from {start} must be below --to {stop}")
    step = (last - first) / (steps - 1)
    # Every value to the same number of decimal places: those of the step, or of the ends if they have more
    # (never more than ten: a step of a third is shown to 1e-10).
    places = min(10, max(-_exponent(first), -_exponent(last), -_exponent(step.normalize()), 0))
    quantum = Decimal(1).scaleb(-places)
    values = [first + step * i for i in range(steps - 1)] + [last]
    return tuple(v.quantize(quantum) for v in values)


def _exponent(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return exponent if isinstance(exponent, int) else 0


# -- differences ------------------------------------------------------------------------------------------------


class RuleSetIdentity(BaseModel):
    """Which rule set: its name, version, SHA-256 and where it was read from."""

    model_config = ConfigDict(frozen=True)

    name: str
    version: str
    sha256: str
    source: str

    @classmethod
    def of(cls, ruleset: RuleSet) -> RuleSetIdentity:
        return cls(name=ruleset.name, version=ruleset.version, sha256=ruleset.sha256, source=ruleset.source)

    @property
    def label(self) -> str:
        return f"{self.name} {self.version} (sha256 {self.sha256})"


class Difference(BaseModel):
    """One value that differs: `what` is a check id or a settings section, `item` the parameter or field."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["parameter", "severity", "enabled", "setting"]
    what: str
    item: str
    a: Any
    b: Any


class RuleSetDiff(BaseModel):
    model_config = ConfigDict(frozen=True)

    a: RuleSetIdentity
    b: RuleSetIdentity
    differences: tuple[Difference, ...]

    @property
    def same_file(self) -> bool:
        return self.a.sha256 == self.b.sha256

    @property
    def checks(self) -> tuple[str, ...]:
        """The checks that differ in any way, in catalogue order."""
        return tuple(dict.fromkeys(d.what for d in self.differences if d.kind != "setting"))


def _flat(prefix: str, value: Any) -> Iterable[tuple[str, Any]]:
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _flat(f"{prefix}.{key}" if prefix else str(key), inner)
    else:
        yield prefix, value


def _settings(ruleset: RuleSet) -> dict[str, Any]:
    sections: dict[str, BaseModel] = {
        "decision": ruleset.decision,
        "development_plan": ruleset.development_plan,
        "robustness": ruleset.robustness,
        "plausibility": ruleset.plausibility,
    }
    return {
        path: v for name, model in sections.items() for path, v in _flat(name, model.model_dump(mode="json"))
    }


def _difference(kind: str, what: str, item: str, a: Any, b: Any) -> Difference:
    return Difference.model_validate({"kind": kind, "what": what, "item": item, "a": a, "b": b})


def diff_rulesets(a: RuleSet, b: RuleSet, catalogue: Catalogue) -> RuleSetDiff:
    """Every check parameter, severity and enabled flag, and every setting (decision, development plan,
    robustness, plausible ranges), that differs between two rule sets validated against `catalogue`."""
    found: list[Difference] = []
    for item in catalogue:
        c = item.id
        if a.severity[c] is not b.severity[c]:
            found.append(_difference("severity", c, "severity", a.severity[c].value, b.severity[c].value))
        if a.enabled.get(c, True) != b.enabled.get(c, True):
            found.append(_difference("enabled", c, "enabled", a.enabled.get(c, True), b.enabled.get(c, True)))
        pa, pb = a.params[c].model_dump(mode="json"), b.params[c].model_dump(mode="json")
        found.extend(
            _difference("parameter", c, n, pa.get(n), pb.get(n)) for n in pa if pa.get(n) != pb.get(n)
        )
    sa, sb = _settings(a), _settings(b)
    for path in dict.fromkeys([*sa, *sb]):
        if sa.get(path) != sb.get(path):
            section, _, rest = path.partition(".")
            found.append(_difference("setting", section, rest, sa.get(path), sb.get(path)))
    return RuleSetDiff(a=RuleSetIdentity.of(a), b=RuleSetIdentity.of(b), differences=tuple(found))


def parameter_changes(diff: RuleSetDiff) -> dict[ParamRef, tuple[Any, Any]]:
    """The check parameters a diff changes: (value in A, value in B) by parameter."""
    return {ParamRef(d.what, d.item): (d.a, d.b) for d in diff.differences if d.kind == "parameter"}


def shown(value: Any) -> str:
    """A rule-set value as text, for tables: lists joined, numbers and words as they are."""
    if isinstance(value, list | tuple):
        return ", ".join(shown(v) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "—" if value is None else str(value)


__all__ = [
    "Difference",
    "ParamInvalid",
    "ParamRef",
    "RuleSetDiff",
    "RuleSetIdentity",
    "decimal_steps",
    "diff_rulesets",
    "numeric_param",
    "param_value",
    "parse_param",
    "with_params",
]
