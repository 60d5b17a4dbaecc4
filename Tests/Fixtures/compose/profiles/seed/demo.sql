INSERT INTO products (sku, name, price_cents) VALUES
  ('DEMO-001', 'Demo mug', 1200),
  ('DEMO-002', 'Demo t-shirt', 2500)
ON CONFLICT DO NOTHING;
