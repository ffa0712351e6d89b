from isoc.infra import admin_community, admin_ixps  # noqa: F401  (each registers its models)
