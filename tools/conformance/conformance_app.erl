%% The release the conformance lab runs on each node: what a Phoenix release does on the
%% instance, reduced to what the stack depends on.
%%
%% - HTTP on $PORT (OTP's inets httpd): $HEALTH_CHECK_PATH answers 200 for the load
%%   balancer's health check, $CONFORMANCE_SERVED_BY_PATH answers with the node's name, so
%%   a client behind the load balancer sees who served it.
%% - Discovery: every ?DISCOVERY_POLL_MS the node connects to each peer it is not yet
%%   connected to, as libcluster's EC2 tag strategy does with the instances its tag query
%%   returns. The lab hands over that query's answer as $CONFORMANCE_PEERS
%%   (space-separated node names).
%%
%% Everything else (node name, cookie, the distribution port range through ERL_AFLAGS)
%% comes from the command line and environment the stack's bootstrap renders.
-module(conformance_app).
-export([start/0, do/1]).

-include_lib("inets/include/httpd.hrl").

-define(DISCOVERY_POLL_MS, 500).

start() ->
    {ok, _} = application:ensure_all_started(inets),
    Root = os:getenv("HOME"),
    {ok, _} = inets:start(httpd, [
        {port, list_to_integer(os:getenv("PORT"))},
        {server_name, atom_to_list(node())},
        {server_root, Root},
        {document_root, Root},
        {modules, [?MODULE]}
    ]),
    Peers = [list_to_atom(P) || P <- string:lexemes(os:getenv("CONFORMANCE_PEERS", ""), " ")],
    spawn(fun() -> discover(Peers -- [node()]) end),
    ok.

%% inets httpd callback: one request.
do(#mod{method = "GET", request_uri = Uri}) ->
    Health = os:getenv("HEALTH_CHECK_PATH"),
    ServedBy = os:getenv("CONFORMANCE_SERVED_BY_PATH"),
    case Uri of
        Health -> {proceed, [{response, {200, "ok"}}]};
        ServedBy -> {proceed, [{response, {200, atom_to_list(node())}}]};
        _ -> {proceed, [{response, {404, "not found"}}]}
    end;
do(_) ->
    {proceed, [{response, {405, "method not allowed"}}]}.

discover(Peers) ->
    Connected = nodes(),
    %% One process per peer: a firewalled peer blocks its attempt for net_setuptime,
    %% not the whole round.
    [spawn(net_adm, ping, [Peer]) || Peer <- Peers, not lists:member(Peer, Connected)],
    timer:sleep(?DISCOVERY_POLL_MS),
    discover(Peers).
