defmodule Shop.Orders do
  @moduledoc """
  The one table the example keeps: orders, each recorded with the node that took it.

  `migrate/1` brings the schema up to date on every new connection, under an advisory lock
  so that nodes starting together do not race on `CREATE TABLE IF NOT EXISTS` (which is
  not atomic in PostgreSQL). `place/1` writes an order and reads it back from the table.
  """

  # Any constant both sides agree on: it names the lock that serialises migrations.
  @migration_lock 21_000_421

  @doc "Creates the table if it is missing; `run` runs SQL statements on the new connection."
  def migrate(run) do
    run.("""
    BEGIN;
    SELECT pg_advisory_xact_lock(#{@migration_lock});
    CREATE TABLE IF NOT EXISTS orders (
      id bigserial PRIMARY KEY,
      served_by text NOT NULL,
      inserted_at timestamptz NOT NULL DEFAULT now()
    );
    COMMIT
    """)
  end

  @doc "A new order taken by `node`, as the table holds it: `%{id, served_by, inserted_at}`."
  def place(node) do
    insert = "INSERT INTO orders (served_by) VALUES ($1) RETURNING id"
    select = "SELECT id, served_by, inserted_at::text FROM orders WHERE id = $1"

    with {:ok, [[id]]} <- Shop.Repo.query(insert, [to_string(node)]),
         id = String.to_integer(id),
         {:ok, [[_id, served_by, inserted_at]]} <- Shop.Repo.query(select, [id]) do
      {:ok, %{id: id, served_by: served_by, inserted_at: inserted_at}}
    else
      {:error, reason} -> {:error, reason}
      {:ok, rows} -> {:error, {:unexpected_rows, length(rows)}}
    end
  end
end
