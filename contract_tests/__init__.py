"""pytest plugin of pns-mock: check a PNS integration against the spec in the customer's own CI."""
