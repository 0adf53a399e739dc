"""What the tests of campaign.fields share: their hypothesis profile, the check that a field refuses an input
with a documented code, and a campaign's categories."""

from __future__ import annotations

from typing import Any, Callable

import pytest
from hypothesis import HealthCheck, settings

from campaign.fields import ERROR_CODES, FieldError

# No example database: these tests must not leave a .hypothesis/ directory in
# a working tree that several people share.
settings.register_profile("fields", database=None, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FIELDS = settings.get_profile("fields")


def error_of(func: Callable[..., Any], *args: Any, **kwargs: Any) -> FieldError:
    with pytest.raises(FieldError) as info:
        func(*args, **kwargs)
    assert info.value.code in ERROR_CODES
    return info.value


CATEGORIES = ("parks", "streets", "culture", "Sport & Loisirs")
