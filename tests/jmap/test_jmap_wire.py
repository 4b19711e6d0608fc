"""Decoding JMAP Request bodies (RFC 8620 3.3) and the request-level errors (3.6.1)."""

from __future__ import annotations

import pytest

from api.jmap.errors import LimitError, NotJsonError, NotRequestError, Problem
from api.jmap.wire import JmapRequest, JmapResponse, decode_request, encode_response

GOOD = [
    (
        b'{"using":["urn:ietf:params:jmap:core"],"methodCalls":[["Core/echo",{"a":1},"c1"]]}',
        JmapRequest(
            using=["urn:ietf:params:jmap:core"], method_calls=[("Core/echo", {"a": 1}, "c1")]
        ),
    ),
    (b'{"using":[],"methodCalls":[]}', JmapRequest(using=[], method_calls=[])),
    (
        b'{"using":[],"methodCalls":[],"createdIds":{"k1":"M1"}}',
        JmapRequest(using=[], method_calls=[], created_ids={"k1": "M1"}),
    ),
    # Unknown members of the Request object are ignored, like unknown JSON members anywhere.
    (b'{"using":[],"methodCalls":[],"extra":true}', JmapRequest(using=[], method_calls=[])),
    (b' \n{"using":[],"methodCalls":[]}\n', JmapRequest(using=[], method_calls=[])),
]

NOT_JSON = [
    b"",
    b"{",
    b"using",
    b"\xff\xfe{}",
    b'{"using":[],"methodCalls":[]} trailing',
    b"{'using': []}",
    b'{"using":[],"methodCalls":[],}',
]

NOT_REQUEST = [
    b"[]",
    b"null",
    b"42",
    b'"a string"',
    b"{}",
    b'{"using":[]}',
    b'{"methodCalls":[]}',
    b'{"using":"urn:ietf:params:jmap:core","methodCalls":[]}',
    b'{"using":[1],"methodCalls":[]}',
    b'{"using":[],"methodCalls":{}}',
    b'{"using":[],"methodCalls":[["Core/echo",{}]]}',
    b'{"using":[],"methodCalls":[["Core/echo",{},"c1","extra"]]}',
    b'{"using":[],"methodCalls":[["Core/echo",[],"c1"]]}',
    b'{"using":[],"methodCalls":[[1,{},"c1"]]}',
    b'{"using":[],"methodCalls":[["Core/echo",{},1]]}',
    b'{"using":[],"methodCalls":[{"name":"Core/echo"}]}',
    b'{"using":[],"methodCalls":[],"createdIds":[]}',
    b'{"using":[],"methodCalls":[],"createdIds":{"a":1}}',
]


@pytest.mark.parametrize(("body", "expected"), GOOD)
def test_good_requests_decode(body: bytes, expected: JmapRequest) -> None:
    assert decode_request(body) == expected


@pytest.mark.parametrize("body", NOT_JSON)
def test_bodies_that_are_not_json(body: bytes) -> None:
    with pytest.raises(NotJsonError) as caught:
        decode_request(body)
    assert caught.value.problem().type == "urn:ietf:params:jmap:error:notJSON"


@pytest.mark.parametrize("body", NOT_REQUEST)
def test_json_that_is_not_a_request(body: bytes) -> None:
    with pytest.raises(NotRequestError) as caught:
        decode_request(body)
    problem = caught.value.problem()
    assert problem.type == "urn:ietf:params:jmap:error:notRequest"
    assert problem.status == 400
    assert problem.detail


def test_limit_problem_names_the_limit() -> None:
    problem = LimitError("maxCallsInRequest", "too many").problem()
    assert problem == Problem(
        type="urn:ietf:params:jmap:error:limit",
        status=400,
        detail="too many",
        limit="maxCallsInRequest",
    )


def test_response_omits_created_ids_unless_given() -> None:
    plain = JmapResponse(method_responses=[("Core/echo", {}, "c1")], session_state="s1")
    assert encode_response(plain) == (
        b'{"methodResponses":[["Core/echo",{},"c1"]],"sessionState":"s1"}'
    )
    with_ids = JmapResponse(method_responses=[], session_state="s1", created_ids={})
    assert b'"createdIds":{}' in encode_response(with_ids)
