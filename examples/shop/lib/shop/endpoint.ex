defmodule Shop.Endpoint do
  @moduledoc """
  HTTP on PORT with OTP's inets httpd (Hex, and so Plug and Bandit, is not needed):

  - `HEALTH_CHECK_PATH` answers 200 `ok` while the database answers, 503 when it does not:
    the load balancer's check is the node's readiness, so a node that cannot reach its
    database takes no traffic rather than fail every request that needs it;
  - `POST /orders` writes an order and reads it back: 201 and the order as JSON, with its
    `url` on PHX_HOST and a `receipt` signed with SECRET_KEY_BASE; 503 without a database;
  - `/node` answers `{"node": ..., "nodes": [...]}`: this node, `Node.list()` and the release's version;
  - `/served-by` answers the node's name: who served a request through the load balancer;
  - `/work?ms=N` keeps a scheduler busy for N ms (`Shop.Work`): load that shows in the BEAM
    metrics; 400 when N is not an integer from 1 to 1000. `/work?kloops=N` counts down from N
    thousand instead: a fixed amount of CPU (the autoscale lab's load, on nodes with a CPU cap).

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
    {status, type, body} = respond(mod(request, :method), path)

    head = [
      code: status,
      content_type: type,
      content_length: Integer.to_charlist(byte_size(body))
    ]

    {:proceed, [response: {:response, head, String.to_charlist(body)}]}
  end

  defp version, do: to_string(Application.spec(:shop, :vsn))

  defp respond(~c"GET", "/work?" <> query), do: work(query)
  defp respond(~c"GET", "/work"), do: work(nil)

  defp respond(~c"GET", path) do
    cond do
      path == :persistent_term.get({__MODULE__, :health_check_path}) -> health()
      path == "/node" -> json(200, %{"node" => node(), "nodes" => Node.list(), "version" => version()})
      path == "/served-by" -> text(200, Atom.to_string(node()))
      true -> text(404, "not found")
    end
  end

  defp respond(~c"POST", "/orders") do
    case Shop.Orders.place(node()) do
      {:ok, order} -> json(201, Map.merge(order, links(order)))
      {:error, _unavailable} -> text(503, "database unavailable")
    end
  end

  defp respond(_method, _path), do: text(405, "method not allowed")

  defp work(query) do
    if String.contains?(query || "", "kloops="), do: count(query), else: spin(query)
  end

  defp count(query) do
    case Shop.Work.parse_kloops(query) do
      {:ok, kloops} ->
        Shop.Work.count(kloops)
        text(200, "counted #{kloops} thousand")

      {:error, why} ->
        text(400, why)
    end
  end

  defp spin(query) do
    case Shop.Work.parse(query) do
      {:ok, ms} ->
        Shop.Work.spin(ms)
        text(200, "worked #{ms} ms")

      {:error, why} ->
        text(400, why)
    end
  end

  defp health do
    if Shop.Repo.ready?(), do: text(200, "ok"), else: text(503, "database unavailable")
  end

  defp text(status, body), do: {status, ~c"text/plain", body}
  defp json(status, map), do: {status, ~c"application/json", Shop.Json.encode(map)}

  # What a Phoenix app derives from its endpoint's url (PHX_HOST) and secret_key_base.
  defp links(order) do
    host = Application.fetch_env!(:shop, :url_host)
    secret = Application.fetch_env!(:shop, :secret_key_base)

    receipt =
      :crypto.mac(:hmac, :sha256, secret, "order:#{order.id}")
      |> Base.url_encode64(padding: false)

    %{url: "https://#{host}/orders/#{order.id}", receipt: receipt}
  end
end
