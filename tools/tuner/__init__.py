"""The scaling tuner: search a stack's scaling section for the cheapest policy that meets a service objective.

One module per idea: `stack_sections` (the stack file as written), `space` (the knobs and their
values), `objective` (the service objective and the ranking), `evaluate` (a candidate
through the settings and the simulator), `unsimulated` (policies a trace cannot drive),
`search` (coordinate descent and joint moves over worker processes), `tuning` (one run end
to end), `advice` (what to know before applying it), `stack_edit` (the proposal written into
the stack file, comments and layout kept) and `output` (table, YAML, JSON, diff, plot).
Reads settings and the simulator only: no Pulumi, no AWS.
"""

from .evaluate import Evaluator, NamedTrace, Outcome
from .objective import Figures, Objective, ObjectiveError, parse_objective
from .search import DEFAULT_BUDGET, SearchResult, search
from .space import BoundsError, SearchSpace, SizeRange, build_space, parse_size_range
from .stack_sections import StackSections, sections_as_written
from .tuning import Tuning, tune
from .unsimulated import UnsimulatedPolicies

__all__ = [
    "DEFAULT_BUDGET",
    "BoundsError",
    "Evaluator",
    "Figures",
    "NamedTrace",
    "Objective",
    "ObjectiveError",
    "Outcome",
    "SearchResult",
    "SearchSpace",
    "SizeRange",
    "StackSections",
    "Tuning",
    "UnsimulatedPolicies",
    "build_space",
    "parse_objective",
    "parse_size_range",
    "sections_as_written",
    "search",
    "tune",
]
