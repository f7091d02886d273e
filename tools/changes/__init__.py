"""The change report: what an edited stack file does to the stack applied from the old one.

`python -m tools.preview --changes-from OLD_FILE` applies the old file in the emulator, then the
new one over it (tools/emulated_stack.py `apply_change`, on the emulator's change engine,
tools/emulator/core/update.py), and prints this report: `report` builds the document docs/design.md
gives (each resource created, updated, replaced or deleted, and the node refresh the change
starts), `refresh` works out the refresh's batches and least duration as AWS runs it, `table`
writes it for the reviewer of a stack-file change.
"""
