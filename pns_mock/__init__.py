"""pns-mock: contract tests and a stateful mock server for the Huawei Cloud Private Number Service.

Everything imports under this one name so the toolkit never shadows a customer's own top-level
``spec``, ``mockserver`` or ``fixtures``. In the repository the subpackages are the top-level
folders (``pns_mock/spec`` links to ``spec/`` and so on); the wheel holds them inside
``pns_mock/``.
"""
