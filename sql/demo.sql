-- The demo behind `make run`: flatten sql/orders.jsonl (five nested orders)
-- and look at it from a few sides.
.load ./transmog
.mode box

-- Every table the file flattens into, with its rows:
SELECT table_name, count(*) AS rows
  FROM transmog_each('sql/orders.jsonl')
 GROUP BY table_name ORDER BY min(rowid);

-- Main rows: one per order, nested objects joined with '_':
SELECT _id, row ->> 'order_id' AS order_id, row ->> 'customer_name' AS customer,
       row ->> 'customer_address_city' AS city, row ->> 'tags' AS tags
  FROM transmog_each('sql/orders.jsonl', 'orders');

-- A child table: every item, pointing at its order with _parent_id:
SELECT _id, _parent_id, _index, row ->> 'sku' AS sku, row ->> 'qty' AS qty,
       row ->> 'price' AS price
  FROM transmog_each('sql/orders.jsonl', 'orders_items');

-- A bad file: every broken record, with where and why:
SELECT record, line, col, message FROM transmog_errors('tests/data/broken.jsonl');
