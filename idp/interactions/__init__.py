"""Sign-ins in progress ("interactions", as node-oidc-provider calls them), apart from both
the protocol (idp.oauth) and the screens (idp.views): where a waiting authorization request
is kept, what it still needs from the pupil, and how it is answered once they are done.

    /authorize ──needs a step──► park(...) ──► sign-in pages (?interaction=key)
                                                       │ finish_login / confirm / consent
    the app ◄── views.oidc.answer(interaction), in the last step's own response
"""

from .csrf import InteractionForm
from .flow import (
    confirm,
    current_login,
    finish_login,
    grant_user,
    login_for,
    next_step,
    record_use,
    resume_url,
    step_url,
)
from .needs import Need, need, prompts, silent_error
from .store import (
    current,
    current_with_account,
    end,
    ephemeral,
    find,
    park,
    purge_expired,
    waiting_in_browser,
)

__all__ = [
    "InteractionForm",
    "Need",
    "confirm",
    "current",
    "current_login",
    "current_with_account",
    "end",
    "ephemeral",
    "find",
    "finish_login",
    "grant_user",
    "login_for",
    "need",
    "next_step",
    "park",
    "prompts",
    "purge_expired",
    "record_use",
    "resume_url",
    "silent_error",
    "step_url",
    "waiting_in_browser",
]
