"""A stateful mock of the Huawei Cloud Private Number Service, driven by the bundled spec."""

__version__ = "0.1.0"
