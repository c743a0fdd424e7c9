"""The conformance scenarios, by area: token, lifecycle, services, resource.

Run them with `pytest --pyargs conformance.scenarios --conformance-profile NAME --conformance-emulate`,
or `conformance run`. They run in the order of their modules' names, whichever area holds them.
"""
