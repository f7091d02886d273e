defmodule Shop.Repo do
  @moduledoc """
  The application's one PostgreSQL connection, through Debian's p1_pgsql (Hex, and so
  Postgrex and Ecto, is out of reach here). It connects in the background, reconnects when
  the connection drops, and is the only way the rest of the app talks to the database.

  - `query/2` runs one statement that returns rows, with `$1`-style parameters (strings
    and integers); `{:error, :unavailable}` when there is no connection or the database does
    not answer within `@query_timeout_ms` (the connection is then dropped and made again:
    its state is unknown).
  - `ready?/0` is the readiness the health path reports: a `SELECT 1` that came back.
  - `after_connect` (an `{module, function, args}`) runs on every new connection before it
    serves, given a function that runs SQL statements on it: where the schema is brought up
    to date.

  The password is read from the application environment at each connect and never kept
  in this process's state, so a crash report of this process cannot show it;
  `Shop.LogRedaction` covers the connection process, which does keep it.
  """
  use GenServer
  require Logger

  @connect_timeout_ms 2_000
  @query_timeout_ms 2_000
  @reconnect_ms 1_000

  def start_link(opts), do: GenServer.start_link(__MODULE__, opts, name: __MODULE__)

  @doc "Rows of one statement, each a list of column values as text (nil for NULL)."
  def query(sql, params \\ []) do
    GenServer.call(__MODULE__, {:query, sql, params}, @query_timeout_ms + @connect_timeout_ms)
  catch
    :exit, _busy_or_down -> {:error, :unavailable}
  end

  @doc "True when the database answered a `SELECT 1` just now."
  def ready?, do: match?({:ok, _rows}, query("SELECT 1"))

  @impl true
  def init(opts) do
    Process.flag(:trap_exit, true)

    {:ok, %{connection: nil, after_connect: Keyword.get(opts, :after_connect), down_since: nil},
     {:continue, :connect}}
  end

  @impl true
  def handle_continue(:connect, state), do: {:noreply, connect(state)}

  @impl true
  def handle_info(:connect, %{connection: nil} = state), do: {:noreply, connect(state)}

  def handle_info({:DOWN, _ref, :process, pid, reason}, %{connection: pid} = state) do
    Logger.warning("database connection lost (#{short(reason)}); reconnecting")
    {:noreply, schedule_reconnect(%{state | connection: nil, down_since: now()})}
  end

  # Late replies of queries that timed out, p1_pgsql's notices, exits of killed connections.
  def handle_info(_message, state), do: {:noreply, state}

  @impl true
  def terminate(_reason, %{connection: connection}) when is_pid(connection) do
    # Tell the server we are leaving, rather than drop the socket under it.
    :pgsql.terminate(connection)
  catch
    :exit, _gone -> :ok
  end

  def terminate(_reason, _state), do: :ok

  @impl true
  def handle_call({:query, _sql, _params}, _from, %{connection: nil} = state) do
    {:reply, {:error, :unavailable}, state}
  end

  def handle_call({:query, sql, params}, _from, state) do
    case run(state.connection, sql, params) do
      {:ok, rows} ->
        {:reply, {:ok, rows}, state}

      {:error, :timeout} ->
        Logger.warning("database did not answer within #{@query_timeout_ms} ms; reconnecting")
        Process.exit(state.connection, :kill)
        {:reply, {:error, :unavailable}, state}

      {:error, reason} ->
        {:reply, {:error, reason}, state}
    end
  end

  defp connect(state) do
    case open() do
      {:ok, connection} ->
        Process.monitor(connection)

        case after_connect(state.after_connect, connection) do
          :ok ->
            Logger.info("database connected#{since(state.down_since)}")
            %{state | connection: connection, down_since: nil}

          {:error, reason} ->
            Logger.warning(
              "database connected, but its setup failed (#{short(reason)}); retrying"
            )

            Process.exit(connection, :kill)
            schedule_reconnect(state)
        end

      {:error, reason} ->
        if state.down_since == nil,
          do: Logger.warning("database unreachable (#{short(reason)}); retrying")

        schedule_reconnect(%{state | down_since: state.down_since || now()})
    end
  end

  # p1_pgsql starts its connection unlinked; a refused login comes back as an error.
  defp open do
    config = Application.fetch_env!(:shop, __MODULE__)

    :pgsql.connect(
      host: String.to_charlist(config[:host]),
      port: config[:port],
      database: String.to_charlist(config[:database]),
      user: String.to_charlist(config[:username]),
      password: String.to_charlist(config[:password] || ""),
      connect_timeout: @connect_timeout_ms
    )
  end

  defp after_connect(nil, _connection), do: :ok

  defp after_connect({module, function, args}, connection) do
    apply(module, function, [(&simple_query(connection, &1)) | args])
  end

  # Simple query protocol: several statements in one go (one implicit transaction), no parameters.
  defp simple_query(connection, sql) do
    {:ok, results} = :pgsql.squery(connection, String.to_charlist(sql), @query_timeout_ms)

    case Enum.find(results, &match?({:error, _}, &1)) do
      nil -> :ok
      {:error, error} -> {:error, {:postgres, error[:message]}}
    end
  catch
    :exit, reason -> {:error, reason}
  end

  # pgsql:pquery/3 with a bound: p1_pgsql's own call waits up to five seconds, and one that
  # meets a server error never answers (its extended-query loop has no error path).
  defp run(connection, sql, params) do
    case :gen_server.call(
           connection,
           {:equery, {String.to_charlist(sql), params}},
           @query_timeout_ms
         ) do
      {:ok, _command, _status, _columns, rows} -> rows_or_error(rows)
      other -> {:error, other}
    end
  catch
    :exit, {:timeout, _call} -> {:error, :timeout}
    :exit, reason -> {:error, reason}
  end

  # p1_pgsql's extended query answers each value as {type, text}, or an error in the log.
  defp rows_or_error(rows) do
    case Enum.find(rows, &match?({:error, _}, &1)) do
      nil -> {:ok, Enum.map(rows, fn row -> Enum.map(row, &value/1) end)}
      {:error, error} -> {:error, {:postgres, error}}
    end
  end

  defp value({_type, text}), do: text
  defp value(:null), do: nil
  defp value(other), do: other

  defp schedule_reconnect(state) do
    Process.send_after(self(), :connect, @reconnect_ms)
    state
  end

  defp now, do: System.monotonic_time(:millisecond)
  defp since(nil), do: ""
  defp since(down_since), do: " again after #{now() - down_since} ms"

  # The reason, short and safe to log: p1_pgsql's errors name the server's message, not the password.
  defp short({:authentication, fields}) when is_list(fields),
    do: "authentication: #{fields[:message]}"

  defp short({:error_response, fields}) when is_list(fields), do: "#{fields[:message]}"
  defp short({:init, {:error, reason}}), do: inspect(reason)
  defp short(reason), do: reason |> inspect() |> String.slice(0, 200)
end
