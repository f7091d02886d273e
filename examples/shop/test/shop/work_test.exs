defmodule Shop.WorkTest do
  use ExUnit.Case, async: true

  alias Shop.Work

  test "ms is an integer from 1 to 1000" do
    assert Work.parse("ms=1") == {:ok, 1}
    assert Work.parse("ms=1000") == {:ok, 1000}
  end

  test "anything else is refused with the rule and an example" do
    for query <- [nil, "", "ms=0", "ms=1001", "ms=-5", "ms=abc", "ms=5.5", "ms=5x", "n=5"] do
      assert {:error, "ms must be an integer from 1 to 1000, e.g. /work?ms=50"} =
               Work.parse(query)
    end
  end

  test "kloops is an integer from 1 to 1000000; anything else is refused with the rule" do
    assert Work.parse_kloops("kloops=1") == {:ok, 1}
    assert Work.parse_kloops("kloops=1000000") == {:ok, 1_000_000}

    for query <- [nil, "kloops=0", "kloops=1000001", "kloops=x", "ms=5"] do
      assert {:error, "kloops must be an integer from 1 to 1000000" <> _} = Work.parse_kloops(query)
    end
  end

  test "count counts down and returns" do
    assert Work.count(10) == :ok
  end

  test "spin keeps the scheduler busy for at least that long" do
    {micros, :ok} = :timer.tc(fn -> Work.spin(30) end)
    assert micros >= 30_000
  end
end

defmodule Shop.WorkRouteTest do
  # Not async: the endpoint registers its name and the health path globally.
  use ExUnit.Case

  setup do
    {:ok, _} = Application.ensure_all_started(:inets)
    # A free port: bound by the system, noted, released (stand-alone httpd cannot say its own).
    {:ok, probe} = :gen_tcp.listen(0, ip: {127, 0, 0, 1})
    {:ok, port} = :inet.port(probe)
    :gen_tcp.close(probe)
    start_supervised!({Shop.Endpoint, port: port, health_check_path: "/health"})
    %{base: "http://127.0.0.1:#{port}"}
  end

  test "GET /work?ms=N answers 200 once the work is done", %{base: base} do
    assert {200, "worked 20 ms"} = get(base <> "/work?ms=20")
  end

  test "GET /work?kloops=N answers 200 once counted", %{base: base} do
    assert {200, "counted 100 thousand"} = get(base <> "/work?kloops=100")
    assert {400, "kloops must be an integer" <> _} = get(base <> "/work?kloops=0")
  end

  test "a bad N is a 400 naming the rule", %{base: base} do
    for path <- ["/work", "/work?ms=0", "/work?ms=5000", "/work?ms=fast"] do
      assert {400, "ms must be an integer from 1 to 1000" <> _} = get(base <> path)
    end
  end

  defp get(url) do
    {:ok, {{_, status, _}, _headers, body}} =
      :httpc.request(:get, {String.to_charlist(url), []}, [], [])

    {status, to_string(body)}
  end
end
