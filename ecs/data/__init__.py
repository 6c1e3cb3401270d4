"""The ENI limits of EC2 instance types (eni_limits.csv) and the script that generates them."""
