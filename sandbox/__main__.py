from sandbox.launcher import main

main()
