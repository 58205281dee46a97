-- 007_centers.sql: neighbourhood centres (邻里中心), their services and activities. (Being written.)
SELECT 1;
