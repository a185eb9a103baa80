-- Run once on a Citus coordinator after the receiver's migrations (docs/adr/0009-receipts-partitioned-by-install.md):
-- every receipt table is distributed by install_id and co-located, so one install's rows share a shard and each
-- batch is a single-shard transaction. Not applied by the receiver itself; untested here (no Citus on this host).
SELECT create_distributed_table('installs', 'install_id');
SELECT create_distributed_table('receipts', 'install_id', colocate_with => 'installs');
SELECT create_distributed_table('held_receipts', 'install_id', colocate_with => 'installs');
SELECT create_distributed_table('forks', 'install_id', colocate_with => 'installs');
