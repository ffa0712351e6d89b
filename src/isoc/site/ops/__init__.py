"""Operations: liveness and readiness, request ids and structured logs, Prometheus
metrics, the database-unavailable answer, and backups (see the README's Operations)."""
