"""The test fleet: real servers (NSD, unbound, SMTP, HTTPS) on test hosts in a network
namespace, or on loopback where namespaces are not allowed. See ``fleet.core.Fleet`` and
the declarations in ``fleet.spec``."""
