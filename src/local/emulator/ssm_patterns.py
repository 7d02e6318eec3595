"""SSM AllowedPattern, enforced as AWS does: PutParameter refuses a value the parameter's pattern
(given now, or kept from its previous version on overwrite) does not match, with
ParameterPatternMismatchException, and writes nothing. moto stores the pattern and ignores it.

Source: PutParameter, AllowedPattern ("A regular expression used to validate the parameter value",
with the example ^\\d+$: anchors are the caller's, so the pattern is searched for, not matched
whole) and the ParameterPatternMismatchException error in the operation's errors.
"""
import re
from typing import Any

from moto.ssm import models as ssm_models
from moto.ssm.exceptions import SSMException


class ParameterPatternMismatchException(SSMException):
    code = "ParameterPatternMismatchException"


def install() -> None:
    original = ssm_models.SimpleSystemManagerBackend.put_parameter

    def put_parameter(self: Any, name: str, description: str, value: str, parameter_type: str, allowed_pattern: str, *args: Any, **kwargs: Any) -> Any:
        pattern = allowed_pattern
        if pattern is None:
            previous = self._parameters.get(name) if name in self._parameters else None
            overwrite = kwargs.get("overwrite", args[1] if len(args) > 1 else False)
            if previous and overwrite:
                pattern = previous[-1].allowed_pattern
        if pattern and value and not re.search(pattern, value):
            raise ParameterPatternMismatchException(f"Parameter value, cannot be validated against allowedPattern: {pattern}")
        return original(self, name, description, value, parameter_type, allowed_pattern, *args, **kwargs)

    ssm_models.SimpleSystemManagerBackend.put_parameter = put_parameter
