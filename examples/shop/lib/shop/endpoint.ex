defmodule Shop.Endpoint do
  @moduledoc """
  HTTP on PORT with OTP's inets httpd (Hex, and so Plug and Bandit, is not needed):

  - `HEALTH_CHECK_PATH` answers 200 `ok`, before anything else: the load balancer's check;
  - `/node` answers `{"node": ..., "nodes": [...]}`: this node and `Node.list()`;
  - `/served-by` answers the node's name: who served a request through the load balancer.

  It traps exits, so on shutdown `terminate/2` stops the listener and gives requests in
  flight up to `@drain_ms` (shorter than the smallest `drainSeconds`, 15 s in dev).
  """
  use GenServer
  require Logger
  require Record

  Record.defrecordp(:mod, Record.extract(:mod, from_lib: "inets/include/httpd.hrl"))

  @drain_ms 10_000

  def child_spec(opts) do
    %{id: __MODULE__, start: {__MODULE__, :start_link, [opts]}, shutdown: @drain_ms + 1_000}
  end

  def start_link(opts), do: GenServer.start_link(__MODULE__, opts, name: __MODULE__)

  @impl true
  def init(opts) do
    Process.flag(:trap_exit, true)

    :persistent_term.put(
      {__MODULE__, :health_check_path},
      Keyword.fetch!(opts, :health_check_path)
    )

    root = System.tmp_dir!()

    {:ok, httpd} =
      :inets.start(
        :httpd,
        [
          port: Keyword.fetch!(opts, :port),
          bind_address: :any,
          server_name: ~c"shop",
          server_root: String.to_charlist(root),
          document_root: String.to_charlist(root),
          modules: [__MODULE__]
        ],
        :stand_alone
      )

    Logger.info("serving on port #{Keyword.fetch!(opts, :port)} as #{node()}")
    {:ok, httpd}
  end

  @impl true
  def terminate(reason, httpd) do
    Logger.info("stopping the endpoint (#{inspect(reason)}): no new requests")
    :inets.stop(:stand_alone, httpd)
    :ok
  end

  @doc false
  # inets httpd's callback: one request.
  def unquote(:do)(request) do
    path = request |> mod(:request_uri) |> to_string()
    {status, body} = respond(mod(request, :method), path)
    {:proceed, [response: {status, String.to_charlist(body)}]}
  end

  defp respond(~c"GET", path) do
    cond do
      path == :persistent_term.get({__MODULE__, :health_check_path}) -> {200, "ok"}
      path == "/node" -> {200, Shop.Json.encode(%{"node" => node(), "nodes" => Node.list()})}
      path == "/served-by" -> {200, Atom.to_string(node())}
      true -> {404, "not found"}
    end
  end

  defp respond(_method, _path), do: {405, "method not allowed"}
end
