"""The Internet Way of Networking (IWN) impact assessment."""
