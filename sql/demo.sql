-- The demo behind `make run`: sql/orders.jsonl holds five nested orders
-- (a customer object, items with discounts, tags, fields that come and go).
.load ./transmog
.mode box

-- What the file flattens into, before creating anything:
SELECT name, parent, path, rows, columns FROM transmog_tables('sql/orders.jsonl');

-- Tables to query: the main table and one per array of objects.
CREATE VIRTUAL TABLE temp.orders USING transmog('sql/orders.jsonl');
SELECT name FROM pragma_table_list WHERE name LIKE 'orders%' ORDER BY name;

-- Nested objects become columns joined with '_':
SELECT _id, order_id, status, total, customer_name, customer_address_city AS city, tags
  FROM orders;

-- Children point at their parent's _id:
SELECT o.order_id, o.customer_name, i.sku, i.qty, i.price, d.code AS discount
  FROM orders o
  JOIN orders_items i ON i._parent_id = o._id
  LEFT JOIN orders_items_discounts d ON d._parent_id = i._id
 ORDER BY o._id, i._index;

-- Export is plain SQL:
CREATE TEMP TABLE paid_items AS
  SELECT i.* FROM orders_items i JOIN orders o ON o._id = i._parent_id WHERE o.status = 'paid';
SELECT count(*) AS paid_items, sum(qty * price) AS revenue FROM paid_items;

-- A broken file: every bad record, with where and why:
SELECT record, line, col, message FROM transmog_errors('tests/data/broken.jsonl');
