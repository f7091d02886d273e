defmodule Shop.Cluster do
  @moduledoc """
  Joins the other nodes of the group, the way the stack's two discovery modes expect:

  - `{:dns, query}` (CLUSTER_DISCOVERY=dns): as dns_cluster does, every `@dns_interval_ms`
    resolve DNS_CLUSTER_QUERY's A records and `Node.connect/1` to `<basename>@<address>`
    for every address not yet connected. It never disconnects anybody: with Cloud Map's
    eight-record answers a pruning client would flap (docs/elixir-application.md).
  - `{:ec2_tags, config}` (CLUSTER_DISCOVERY=ec2Tags): as libcluster_ec2's Tags strategy
    does, every `@ec2_interval_ms` list the running instances carrying the cluster tag and
    connect to `<app_prefix>@<private IP>`. Without Hex there is no ex_aws here, so the
    listing goes through the `aws` CLI with the instance role's credentials.

  Connection attempts run concurrently and are bounded, so a peer that does not answer
  delays nothing else.
  """
  use GenServer
  require Logger

  @dns_interval_ms 5_000
  @ec2_interval_ms 10_000
  @connect_timeout_ms 10_000
  @aws_timeout_ms 20_000
  # The aws CLI needs the instance role, not the release's secrets: they stay out of its environment.
  @no_secrets for name <- ~w(RELEASE_COOKIE SECRET_KEY_BASE DATABASE_URL), do: {name, nil}

  def start_link(discovery), do: GenServer.start_link(__MODULE__, discovery, name: __MODULE__)

  @impl true
  def init(:none), do: :ignore

  def init(discovery) do
    if node() == :nonode@nohost,
      do: Logger.warning("not distributed: set RELEASE_DISTRIBUTION=name")

    {:ok, discovery, {:continue, :discover}}
  end

  @impl true
  def handle_continue(:discover, discovery), do: {:noreply, discover(discovery)}

  @impl true
  def handle_info(:discover, discovery), do: {:noreply, discover(discovery)}

  defp discover(discovery) do
    discovery |> peers() |> connect_new()
    Process.send_after(self(), :discover, interval(discovery))
    discovery
  end

  defp interval({:dns, _}), do: @dns_interval_ms
  defp interval({:ec2_tags, _}), do: @ec2_interval_ms

  @doc "The node names discovery currently finds (this node's own name included)."
  def peers({:dns, query}) do
    basename = node() |> Atom.to_string() |> String.split("@") |> hd()

    for address <- :inet_res.lookup(String.to_charlist(query), :in, :a) do
      :"#{basename}@#{:inet.ntoa(address)}"
    end
  end

  def peers({:ec2_tags, config}) do
    Enum.map(running_instance_addresses(config), &:"#{config.app_prefix}@#{&1}")
  end

  defp connect_new(names) do
    known = [node() | Node.list()]

    (names -- known)
    |> Enum.uniq()
    |> Task.async_stream(&connect/1, timeout: @connect_timeout_ms, on_timeout: :kill_task)
    |> Stream.run()
  end

  defp connect(name) do
    if Node.connect(name) == true, do: Logger.info("#{node()} connected to #{name}")
  end

  # ec2:DescribeInstances for the running instances tagged <tag_name>=<tag_value>.
  defp running_instance_addresses(config) do
    args = [
      "ec2",
      "describe-instances",
      "--region",
      config.region,
      "--filters",
      "Name=tag:#{config.tag_name},Values=#{config.tag_value}",
      "Name=instance-state-name,Values=running",
      "--query",
      "Reservations[].Instances[].PrivateIpAddress",
      "--output",
      "text"
    ]

    task = Task.async(fn -> System.cmd("aws", args, stderr_to_stdout: true, env: @no_secrets) end)

    case Task.yield(task, @aws_timeout_ms) || Task.shutdown(task, :brutal_kill) do
      {:ok, {out, 0}} ->
        String.split(out)

      {:ok, {out, status}} ->
        Logger.warning("ec2 describe-instances failed (exit #{status}): #{String.trim(out)}")
        []

      nil ->
        Logger.warning("ec2 describe-instances took longer than #{@aws_timeout_ms} ms")
        []
    end
  end
end
