"""The conformance scenarios: run them with
`pytest --pyargs conformance.scenarios --conformance-profile NAME --conformance-emulate`."""
