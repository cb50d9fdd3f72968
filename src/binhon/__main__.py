from binhon.cli import main

main()
