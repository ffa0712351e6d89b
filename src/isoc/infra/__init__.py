"""Infrastructure: Internet exchange points (IXPs) and community networks.

Two parts share the app: IXPs (``ixps`` modules, ``/pulse/ixps/``) and community networks
with their cost planner (``community`` modules, ``/pulse/community-networks/``)."""
