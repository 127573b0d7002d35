"""The ticket page rates with the pad's levels and 差评 reasons, so both channels count alike."""

from rater import strings as pad
from web import strings as web
from wire.vocab import LEVELS


def test_the_page_offers_what_the_pad_offers():
    assert web.BAD_REASONS == pad.BAD_REASONS
    assert web.LEVELS == LEVELS
