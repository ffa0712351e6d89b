"""IXPs (``ixps``) and community networks (``community``)."""

from isoc.infra.models.community import *  # noqa: F401,F403
from isoc.infra.models.ixps import *  # noqa: F401,F403
