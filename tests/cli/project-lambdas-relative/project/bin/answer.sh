echo "{\"from\": \"$(basename "$PWD")\"}"
